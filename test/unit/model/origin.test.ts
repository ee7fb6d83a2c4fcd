import { describe, expect, it } from 'vitest';
import { parseOriginEntry } from '../../../src/model/origin.js';
import { matcherRegex } from '../../../src/model/regex.js';
import { matcherAccepts } from '../../../src/model/evaluate.js';
import { attackOrigins } from '../../../src/verify/origins.js';

describe('parseOriginEntry', () => {
  it.each([
    ['https://app.example.com', { kind: 'exact', origin: 'https://app.example.com' }],
    ['http://localhost:3000', { kind: 'exact', origin: 'http://localhost:3000' }],
    ['http://127.0.0.1:8080', { kind: 'exact', origin: 'http://127.0.0.1:8080' }],
    ['http://[::1]:8080', { kind: 'exact', origin: 'http://[::1]:8080' }],
  ])('%s is exact', (entry, matcher) => {
    expect(parseOriginEntry(entry)).toEqual({ ok: true, matcher });
  });

  it('parses wildcards', () => {
    expect(parseOriginEntry('https://*.example.com')).toMatchObject({ ok: true, matcher: { kind: 'pattern', subdomains: true, port: { kind: 'default' } } });
    expect(parseOriginEntry('http://localhost:*')).toMatchObject({ ok: true, matcher: { kind: 'pattern', subdomains: false, port: { kind: 'any' } } });
    expect(parseOriginEntry('https://*.example.com:*')).toMatchObject({ ok: true, matcher: { kind: 'pattern', subdomains: true, port: { kind: 'any' } } });
    expect(parseOriginEntry('https://*.example.com:8443')).toMatchObject({ ok: true, matcher: { kind: 'pattern', port: { kind: 'port', port: 8443 } } });
  });

  it.each([
    ['https://app.example.com/', /path or a trailing slash.*write https:\/\/app\.example\.com$/],
    ['https://app.example.com/api', /path/],
    ['https://app.example.com?x=1', /query/],
    ['https://app.example.com#x', /fragment/],
    ['https://user@app.example.com', /userinfo.*write https:\/\/app\.example\.com$/],
    ['http://[fe80::1%eth0]', /IPv6/],
    ['app.example.com', /no scheme.*write https:\/\/app\.example\.com/],
    ['HTTPS://app.example.com', /upper case.*write https:\/\/app\.example\.com/],
    ['https://App.Example.com', /upper case/],
    ['https://app.example.com:443', /default port :443.*write https:\/\/app\.example\.com/],
    ['http://app.example.com:80', /default port :80/],
    ['ftp://files.example.com', /scheme "ftp"/],
    ['https://bücher.example', /punycode.*write https:\/\/xn--bcher-kva\.example/],
    ['https://app.example.com ', /whitespace/],
    ['https://app"example.com', /quote/],
    ['https://app.example.com:0', /invalid port/],
    ['https://app.example.com:65536', /invalid port/],
    ['https://app.example.com:08080', /invalid port/],
    ['https://a*.example.com', /\*/],
    ['https://*.127.0.0.1', /IP address/],
    ['http://[::0001]', /serialize as \[::1\]/],
    ['http://256.1.1.1', /invalid IPv4/],
    ['https://a..b', /empty label/],
    ['https://-a.example.com', /invalid host label/],
    ['https://a$b.example.com', /invalid host label/],
  ])('%s is refused', (entry, reason) => {
    const r = parseOriginEntry(entry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.problem}; ${r.hint ?? ''}`).toMatch(reason);
  });
});

describe('matcherRegex agrees with the evaluator', () => {
  const entries = ['https://app.example.com', 'https://*.example.com', 'http://localhost:*', 'https://*.dev.example.org:*', 'http://[::1]:*', 'https://*.example.com:8443', 'http://127.0.0.1:8080'];
  const probes = [
    'https://app.example.com', 'https://a.example.com', 'https://a.b.example.com', 'https://example.com', 'http://localhost', 'http://localhost:3000',
    'https://a.dev.example.org:4443', 'http://[::1]:1', 'http://[::1]', 'https://x.example.com:8443', 'http://127.0.0.1:8080', 'null',
    'https://-a.example.com', 'https://a-.example.com', 'https://a_b.example.com', 'https://A.example.com',
  ];
  for (const entry of entries) {
    const parsed = parseOriginEntry(entry);
    it(`${entry}`, () => {
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const re = new RegExp(matcherRegex(parsed.matcher));
      expect(re.source.startsWith('^') && re.source.endsWith('$')).toBe(true);
      for (const o of [...probes, ...probes.flatMap(attackOrigins)]) {
        expect(re.test(o), `${entry} vs ${o}`).toBe(matcherAccepts(parsed.matcher, o));
      }
    });
  }
});
