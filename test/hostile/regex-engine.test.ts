// User regexes never run on a backtracking engine (issue 9 "Hangs"): the checks, `explain` and the
// evaluator use RE2 semantics (src/model/regex-engine.ts), linear in the input. On V8's RegExp,
// each case below takes longer than the test's time-out (2^40 steps), so a return to it fails here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from './harness.js';
import { checkPolicyText } from '../../src/compile.js';
import { explain } from '../../src/explain.js';
import { matcherAccepts } from '../../src/model/evaluate.js';
import { regexSet, regexTest, re2Problem } from '../../src/model/regex-engine.js';

const CATASTROPHIC = ['^https://(a+)+\\.example\\.com$', '^https://((a+)+\\.)+(a|aa)*x\\.example\\.com$', '^https://(a|a)*(a*)*b\\.example\\.com$'];
const LONG = `https://${'a'.repeat(40)}`;
const A63 = Array.from({ length: 3 }, () => 'a'.repeat(63)).join('.');

describe('user regexes run in linear time', () => {
  it('the engine answers nested quantifiers on long inputs', () => {
    for (const re of CATASTROPHIC) {
      expect(regexTest(re, `${LONG}!.example.com`)).toBe(false);
      expect(regexTest(re, `https://${A63}.example.com.x`)).toBe(false);
    }
    expect(regexTest('^https://(a+)+\\.example\\.com$', 'https://aaa.example.com')).toBe(true);
  });

  it('the evaluator matches regex entries through it', () => {
    expect(matcherAccepts({ kind: 'regex', source: CATASTROPHIC[0]! }, `${LONG}!.example.com`)).toBe(false);
  });

  it('validate and explain finish on nested-quantifier regexes beside a long exact origin (the built CLI, killed after 20 s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cors-gen-redos-'));
    try {
      const text = ['version: 1', 'policies:', '  api:', '    origins:', `      - https://${A63}.example.com`, ...CATASTROPHIC.map((r) => `      - regex: '${r}'`), ''].join('\n');
      writeFileSync(join(dir, 'p.yaml'), text);
      // Asynchronous children, killed after 20 s: a blocked test worker cannot report to vitest.
      const run = (...args: string[]) => runAsync({ cwd: dir, timeout: 20_000 }, ...args);
      const validate = await run('validate', 'p.yaml');
      expect(validate.signal).toBeNull();
      expect(validate.code).toBe(0);
      const told = await run('explain', 'p.yaml', '--origin', `https://${A63}.example.com.x`);
      expect(told.signal).toBeNull();
      expect(told.stdout).toMatch(/Result: BLOCKED\n$/);
      // In process as well (the evaluator and the checks as a library).
      const checked = checkPolicyText(text, 'p.yaml');
      const policy = checked.set!.policies[0]!;
      expect(explain(policy, { origin: `${LONG}!.example.com`, method: 'GET', headers: [], credentials: false }).accepted).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a file with more than 1,000 regexes is refused once, at the first regex over the limit, across policies', () => {
    const regexes = (from: number, n: number) => Array.from({ length: n }, (_, i) => `      - regex: '^https://r${from + i}\\.example\\.com$'`);
    const text = ['version: 1', 'policies:', '  a:', '    origins:', ...regexes(0, 600), '  b:', '    origins:', ...regexes(600, 600), ''].join('\n');
    const found = checkPolicyText(text, 'p.yaml').diagnostics.filter((d) => d.rule === 'too-many-regexes');
    // Policy b's origins start at line 4 + 600 + 2 + 1; its 401st regex is the file's 1,001st.
    expect(found.map((d) => `${d.line}:${d.column} ${d.severity}`)).toEqual([`${4 + 600 + 2 + 1 + 400}:9 error`]);
    const fine = ['version: 1', 'policies:', '  a:', '    origins:', ...regexes(0, 1000), ''].join('\n');
    expect(checkPolicyText(fine, 'p.yaml').set).toBeDefined();
  }, 120_000);

  it('set matching finds every pattern that matches, by index', () => {
    const match = regexSet(['^https://a\\.example\\.com$', '^https://[a-z]+\\.example\\.com$', '^https://b\\.example\\.com$']);
    expect(match('https://a.example.com').sort()).toEqual([0, 1]);
    expect(match('https://c.example.com')).toEqual([1]);
  });

  it('a pattern RE2 refuses is reported, not run', () => {
    expect(re2Problem('^https://(a)\\1$')).not.toBeNull();
    expect(regexTest('^https://(a)\\1$', 'https://aa')).toBe(false);
  });
});
