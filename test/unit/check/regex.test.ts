import { describe, expect, it } from 'vitest';
import { analyzeRegex, hostileOrigins, publicSuffixSpan } from '../../../src/check/regex-samples.js';
import { regexProblem } from '../../../src/check/regex-portability.js';
import { codes, lines, messages, policy } from './helpers.js';

/** A policy whose only origin is the regex (YAML single-quoted: backslashes are literal). */
const regex = (source: string, ...more: string[]) => policy('origins:', `  - regex: '${source}'`, ...more);
const AT = '5:16';

describe('regex-syntax', () => {
  it.each([
    ['https://app\\.example\\.com', 'is not anchored', 'anchor the regex: ^https://app\\.example\\.com$'],
    ['^https://app\\.example\\.com', 'is not anchored', ''],
    ['https://app\\.example\\.com$', 'is not anchored', ''],
    ['^https://app\\.example\\.com\\$', 'is not anchored', ''],
    ['^https://a\\.example\\.com$|^https://b\\.example\\.com$', 'contains $ before its end', ''],
    ['^https://a\\.example\\.com|https://b\\.example\\.com$', 'has a top-level |', 'anchor the regex: ^(https://a\\.example\\.com|https://b\\.example\\.com)$'],
    ['^https://(?=a)[a-z]+\\.example\\.com$', 'look-around', ''],
    ['^https://(?<!a)[a-z]+\\.example\\.com$', 'look-around', ''],
    ['^https://([a-z])\\1\\.example\\.com$', 'escape \\1', ''],
    ['^https://(?>a+)\\.example\\.com$', 'atomic group', ''],
    ['^https://a++\\.example\\.com$', 'possessive quantifier', ''],
    ['^https://(?<sub>[a-z]+)\\.example\\.com$', 'named group or inline flag', ''],
    ['^(?i)https://a\\.example\\.com$', 'named group or inline flag', ''],
    ['^https://[[:alpha:]]+\\.example\\.com$', 'POSIX class', ''],
    ['^https://[]a]\\.example\\.com$', 'class starting with ]', ''],
    ['^https://[^]a]\\.example\\.com$', 'class starting with ]', ''],
    ['^https://a\\x2eexample\\.com$', 'escape \\x', ''],
    ['^https://a\\u002eexample\\.com$', 'escape \\u', ''],
    ['^https://\\bapp\\.example\\.com$', 'escape \\b', ''],
    ['^https://app\\.example\\.com\\Z$', 'escape \\Z', ''],
    ['^https://[a-z]{1,1001}\\.example\\.com$', 'above 1000', ''],
    ['^https://[a-z]{3,1}\\.example\\.com$', 'below its minimum', ''],
    ['^https://([a-z]{1,100}\\.){1,20}example\\.com$', 'product exceeds 1000', ''],
    ['^https://a{host}\\.example\\.com$', 'does not start a repetition', ''],
    ['^https://a\\{b\\.example\\.com$', 'escape \\{', ''],
    ['^https://a}\\.example\\.com$', '} outside a repetition', ''],
    ['^https://[a{}]\\.example\\.com$', 'brace in a class', ''],
    ['^https://[a-z\\.example\\.com$', 'unterminated class', ''],
    ['^https://(a\\.example\\.com$', 'unclosed (', ''],
    ['^https://a)\\.example\\.com$', 'unmatched )', ''],
    ['^https://(*a)\\.example\\.com$', 'nothing to repeat', ''],
    ['^*https://a\\.example\\.com$', 'quantifier applied to the anchor', ''],
    ['^https://[z-a]\\.example\\.com$', 'reversed range', ''],
    ['^https://[\\d-z]\\.example\\.com$', 'range starting with a class escape', ''],
    ['^https://a\\.example\\.com#$', 'character #', ''],
    ['^https://a\\.example\\.com%$', 'character %', ''],
    ['^https://a\\.example\\.com;$', 'character ;', ''],
    ['^https://a\\.example\\.com@$', 'character @', ''],
    ['^https://a${HOST}$', 'contains $ before its end', ''],
    ['^https://a{$HOST}$', 'contains $ before its end', ''],
    ['^https://a\\.example\\.com^$', 'a ^ inside it', ''],
    ['^https://a\\\\.example\\.com$', 'literal backslash', ''],
    ['^https://a b\\.example\\.com$', 'whitespace', ''],
    ['^https://bücher\\.example$', 'non-ASCII', ''],
    ["^https://a\"b\\.example\\.com$", 'character "', ''],
    ['^https://a`b\\.example\\.com$', 'character `', ''],
  ])('refuses %s', (source, problem, hint) => {
    const text = regex(source);
    expect(codes(text)).toEqual([`${AT} error [regex-syntax]`]);
    const [message] = messages(text, 'regex-syntax');
    expect(message).toContain(problem);
    if (hint) expect(message).toContain(hint);
  });

  it("refuses a quote (YAML double-quoted, since a single quote ends a single-quoted scalar)", () => {
    expect(codes(policy('origins:', `  - regex: "^https://a'b\\\\.example\\\\.com$"`))).toEqual([`${AT} error [regex-syntax]`]);
  });

  it('prints the whole diagnostic', () => {
    expect(lines(regex('https://app\\.example\\.com'))).toEqual([
      'p.yaml:5:16: error: regex "https://app\\\\.example\\\\.com" is not anchored; an unanchored regex also matches hostile origins that merely contain an allowed one; anchor the regex: ^https://app\\.example\\.com$ [regex-syntax]',
    ]);
  });

  it.each([
    '^https://pr-[0-9]+\\.preview\\.example\\.net$',
    '^https://(staging|qa)\\.example\\.io(:[0-9]{1,5})?$',
    '^https://[a-z]{1,8}\\.example\\.dev$',
    '^https://([a-z0-9-]+\\.)+example\\.com$',
    '^https://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.example\\.com$',
    '^https://(?:www\\.)?example\\.com$',
    '^https://[^./:]+\\.example\\.com$',
    '^https://\\w+\\.example\\.com$',
    '^https://\\d+\\.example\\.com$',
    '^https://[a-z]+?\\.example\\.com$',
    '^http://\\[::1\\](:[0-9]+)?$',
    '^https://[-a-z]+\\.example\\.com$',
    '^https://[a-z-]+\\.example\\.com$',
  ])('accepts %s', (source) => {
    expect(codes(regex(source))).toEqual([]);
  });

  it('every regex it accepts compiles the same in JavaScript', () => {
    for (const source of ['^https://[a-z]{1,8}\\.example\\.dev$', '^https://(?:a|b)\\.example\\.com$']) {
      expect(regexProblem(source)).toBeNull();
      expect(() => new RegExp(source)).not.toThrow();
    }
  });
});

describe('regex-permissive', () => {
  it('refuses an unescaped dot, naming the hostile origin', () => {
    const text = regex('^https://app.example.com$');
    expect(codes(text)).toEqual([`${AT} error [regex-permissive]`]);
    const [message] = messages(text, 'regex-permissive');
    expect(message).toContain('https://appxexample.com');
    expect(message).toContain('made from https://app.example.com');
    expect(message).toContain('write \\.');
  });

  it('refuses a dot class that lets a dash stand for a dot', () => {
    expect(messages(regex('^https://app[.-]example\\.com$'), 'regex-permissive')[0]).toContain('https://app-example.com');
  });

  it.each([
    ['^https://app\\.example\\.com.*$', 'https://app.example.com.evil.test'],
    ['^https://app\\.example\\.com[a-z.]*$', 'https://app.example.com.evil.test'],
    ['^https://app\\.example\\.co[a-z]*$', 'https://app.example.coevil'],
    ['^https://app\\.example\\.com(\\.[a-z]+)?$', 'https://app.example.com.evil'],
    ['^https://[a-z0-9.-]+$', 'https://a.evil.test'],
  ])('refuses %s, which accepts a suffix appended to the host (%s)', (source, hostile) => {
    const text = regex(source);
    expect(codes(text)).toEqual([`${AT} error [regex-permissive]`]);
    expect(messages(text, 'regex-permissive')[0]).toContain(`attacker's origin ${hostile}`);
  });

  it('refuses a wildcard glued to the domain (no dot before it)', () => {
    const text = regex('^https://.*example\\.com$');
    expect(codes(text)).toEqual([`${AT} error [regex-permissive]`]);
    expect(messages(text, 'regex-permissive')[0]).toContain('https://evilexample.com');
  });

  it('refuses http in place of https', () => {
    const text = regex('^https?://app\\.example\\.com$');
    expect(codes(text)).toEqual([`${AT} error [regex-permissive]`]);
    expect(messages(text, 'regex-permissive')[0]).toContain('http://app.example.com, the plain-http twin of https://app.example.com');
  });

  it('lists every kind of hostile origin in one diagnostic', () => {
    const [message] = messages(regex('^https?://app.example.com.*$'), 'regex-permissive');
    expect(message).toContain('https://app.example.com.evil.test');
    expect(message).toContain('it also accepts');
    expect(message).toContain('http://app.example.com');
  });

  it.each([
    '^https://pr-[0-9]+\\.preview\\.example\\.net$',
    '^https://(staging|qa)\\.example\\.io(:[0-9]{1,5})?$',
    '^https://([a-z0-9-]+\\.)*example\\.com$',
    '^https://[a-z]+(\\.[a-z]+)*\\.example\\.com$',
    '^https://.*\\.example\\.com$',
    '^https://[^/]+\\.example\\.com$',
    '^https://(www\\.)?example\\.com$',
    '^https?://localhost(:[0-9]+)?$',
    '^http://127\\.0\\.0\\.1(:[0-9]+)?$',
  ])('accepts %s', (source) => {
    expect(codes(regex(source))).toEqual([]);
  });

  it('is deterministic and fast', () => {
    const source = '^https://([a-z0-9-]+\\.){0,3}(app|api|admin|www|static|cdn)\\.example\\.(com|net|org|io)(:[0-9]{2,5})?$';
    const started = performance.now();
    const first = lines(regex(source));
    for (let i = 0; i < 5; i++) expect(lines(regex(source))).toEqual(first);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('regex samples', () => {
  it('generates origins the regex accepts, in a stable order', () => {
    const a = analyzeRegex('^https://(staging|qa)\\.example\\.io(:[0-9]{1,5})?$')!;
    expect(a.samples).toEqual([
      'https://staging.example.io',
      'https://staging.example.io:1',
      'https://staging.example.io:11',
      'https://qa.example.io',
      'https://qa.example.io:1',
      'https://qa.example.io:11',
    ]);
    for (const s of a.samples) expect(a.accepts(s)).toBe(true);
  });

  it('reads an unescaped dot as the dot it was meant to be', () => {
    const a = analyzeRegex('^https://app.example.com$')!;
    expect(a.samples[0]).toBe('https://app.example.com');
    expect(hostileOrigins(a)).toEqual([{ kind: 'dot', origin: 'https://appxexample.com', from: 'https://app.example.com' }]);
  });

  it('finds several sites under a public suffix', () => {
    expect(publicSuffixSpan(analyzeRegex('^https://[a-z]+\\.com$')!)).toEqual({ suffix: 'com', sample: 'https://a.com', other: 'https://evil.com' });
    expect(publicSuffixSpan(analyzeRegex('^https://[a-z]+\\.example\\.com$')!)).toBeNull();
  });

  it('gives no analysis for a regex regex-syntax refuses', () => {
    expect(analyzeRegex('https://a')).toBeNull();
    expect(analyzeRegex('^https://(?=a)a$')).toBeNull();
  });
});
