// The parts of `cors-gen verify` that need no server: which origins and requests are derived from a
// policy, how an answer is compared, which cause a deviation is given, and how it is printed.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/model/evaluate.js';
import type { Policy } from '../../../src/model/types.js';
import { causes, type Judged } from '../../../src/verify/causes.js';
import { compareAnswer } from '../../../src/verify/compare.js';
import { originFor, probeOrigins } from '../../../src/verify/origins.js';
import { failLine, textReport } from '../../../src/verify/report.js';
import { MAX_REQUESTS, requestSet, type ProbeRequest } from '../../../src/verify/requests.js';
import { compilePolicy } from '../../harness/policy.js';

const policyOf = (body: string): Policy => compilePolicy(`version: 1\npolicies:\n  p:\n${body}`).policies[0]!;

describe('origins derived from the policy', () => {
  const p = policyOf(
    "    origins:\n      - https://app.example.com\n      - https://*.example.org\n      - http://localhost:*\n      - regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$'\n      - regex: '^https://[a-z]{100}\\.example\\.net$'\n",
  );
  it('one per entry: exact as written, a label under a wildcard, port 8443 for :*, a regex sample', () => {
    const matchers = p.origins.kind === 'list' ? p.origins.matchers : [];
    expect(matchers.slice(0, 3).map(originFor)).toEqual(['https://app.example.com', 'https://a.example.org', 'http://localhost:8443']);
    expect(originFor(matchers[3]!)).toMatch(/^https:\/\/pr-[0-9]+\.preview\.example\.net$/);
  });
  it('an entry no origin can be derived from is named as not probed', () => {
    expect(probeOrigins(p).notProbed).toEqual(['regex: ^https://[a-z]{100}\\.example\\.net$']);
  });
  it('attacker-shaped variants of each, every one refused by the evaluator here', () => {
    const groups = probeOrigins(p).groups;
    const app = groups[0]!.origins;
    for (const o of ['https://app.example.com.evil.test', 'https://evilapp.example.com', 'https://appxexample.com', 'http://app.example.com', 'https://app.example.com:8443', 'null']) {
      expect(app).toContain(o);
    }
    for (const o of app.slice(1)) expect(evaluate(p, { method: 'GET', headers: { origin: o } }).outcome, o).toBe('actual-refused');
  });
});

describe('the request set', () => {
  it('only OPTIONS, GET and HEAD; preflights with and without requested headers; GET and HEAD without Origin', () => {
    const p = policyOf('    origins: [https://app.example.com]\n    methods: [GET, PUT]\n    allowHeaders: [Content-Type]\n');
    const { requests } = requestSet(p, ['/']);
    expect(new Set(requests.map((r) => r.method))).toEqual(new Set(['OPTIONS', 'GET', 'HEAD']));
    const app = requests.filter((r) => r.headers.origin === 'https://app.example.com');
    expect(app.map((r) => r.kind)).toEqual(['preflight', 'preflight-with-headers', 'actual', 'actual']);
    expect(app[0]!.headers).toEqual({ origin: 'https://app.example.com', 'access-control-request-method': 'PUT' });
    expect(app[1]!.headers['access-control-request-headers']).toBe('content-type');
    expect(requests.filter((r) => r.headers.origin === undefined).map((r) => r.method)).toEqual(['GET', 'HEAD']);
    for (const r of requests) for (const h of Object.keys(r.headers)) expect(['origin', 'access-control-request-method', 'access-control-request-headers']).toContain(h);
  });

  it('more than 1,000 derived requests: cut evenly across many paths', () => {
    const paths = Array.from({ length: 400 }, (_, i) => `/p${i}/`);
    const p = policyOf('    origins: [https://app.example.com, https://b.example.com]\n');
    const set = requestSet(p, paths);
    expect(set.requests.length).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(set.cut).toMatchObject({ paths: 400, pathsKept: 166 });
    const perPath = new Map<string, number>();
    for (const r of set.requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    expect(new Set(perPath.values())).toEqual(new Set([6]));
    expect(perPath.has('/p0/') && perPath.has('/p397/')).toBe(true);
  });
});

const answer = (status: number, headers: Record<string, string | string[]>) => ({
  status,
  rawHeaders: Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, v])),
});

describe('comparison', () => {
  const p = policyOf('    origins: [https://app.example.com]\n    methods: [GET, PUT]\n');
  const pre = evaluate(p, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' } });
  const ok = { 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Methods': 'GET, PUT', Vary: 'Origin' };
  it('lists as tokens for verify, byte for byte for the test suites', () => {
    const comma = answer(204, { ...ok, 'Access-Control-Allow-Methods': 'GET,PUT' });
    expect(compareAnswer(pre, comma, 'tokens')).toEqual([]);
    expect(compareAnswer(pre, comma, 'exact').map((d) => d.kind)).toEqual(['header-value']);
  });
  it('a header twice, a missing one, a preflight status, Vary without Origin', () => {
    const d = compareAnswer(pre, answer(200, { 'Access-Control-Allow-Origin': ['https://app.example.com', '*'], Vary: 'Accept-Encoding' }), 'tokens');
    expect(d.map((x) => x.kind)).toEqual(['status', 'header-repeated', 'header-missing', 'vary-without-origin']);
  });
});

describe('causes', () => {
  const p = policyOf('    origins: [https://app.example.com]\n    methods: [GET, PUT]\n');
  const origin = 'https://app.example.com';
  const judge = (request: ProbeRequest, status: number, headers: Record<string, string | string[]>): Judged => {
    const expected = evaluate(p, { method: request.method, headers: request.headers });
    const a = answer(status, headers);
    return { request, expected, outcome: { kind: 'answered', ...a }, differences: compareAnswer(expected, a, 'tokens') };
  };
  const preflight: ProbeRequest = { kind: 'preflight', method: 'OPTIONS', path: '/x/', headers: { origin, 'access-control-request-method': 'PUT' } };
  const get: ProbeRequest = { kind: 'actual', method: 'GET', path: '/x/', headers: { origin } };
  const goodPreflight = { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'GET, PUT', Vary: 'Origin' };

  it('the preflight answered, the actual response without Access-Control-Allow-Origin: a block with headers of its own', () => {
    expect(causes([judge(preflight, 204, goodPreflight), judge(get, 200, { Vary: 'Origin' })])).toEqual([undefined, 'own-headers-block']);
  });
  it('Access-Control-Allow-Origin twice: the application’s copy is kept', () => {
    expect(causes([judge(get, 200, { 'Access-Control-Allow-Origin': [origin, '*'], Vary: 'Origin' })])).toEqual(['application-headers-kept']);
  });
  it('401 on a preflight: authentication first; 200: the preflight reached the application, and so did the GET', () => {
    expect(causes([judge(preflight, 401, { Vary: 'Origin' })])).toEqual(['auth-before-preflight']);
    const bare: ProbeRequest = { kind: 'actual', method: 'GET', path: '/x/', headers: {} };
    expect(causes([judge(preflight, 200, { 'Access-Control-Allow-Origin': '*' }), judge(get, 200, { 'Access-Control-Allow-Origin': '*' }), judge(bare, 200, {})])).toEqual([
      'not-included',
      'not-included',
      'not-included',
    ]);
  });
  it('301 on a preflight: a redirect', () => {
    expect(causes([judge(preflight, 301, { Vary: 'Origin' })])).toEqual(['redirect']);
  });
});

describe('output', () => {
  it('names origin entries that were not probed, and the cut, before the count', () => {
    const text = textReport({
      kind: 'judged',
      url: 'http://127.0.0.1:1',
      policy: 'p',
      set: { notProbed: ['regex: ^https://[a-z]{100}\\.example\\.net$'], cut: { derived: 4000, paths: 2, pathsKept: 2, origins: 500, originsKept: 124 } },
      results: [],
    });
    expect(text).toBe(
      'not probed: origin entry "regex: ^https://[a-z]{100}\\\\.example\\\\.net$" (no origin could be derived from it)\n' +
        'note: the 4000 requests derived from the policy exceed the limit of 1000 per run; cut evenly to 124 of 500 origins on 2 of 2 paths\n' +
        'verify: 0/0 requests conform\n',
    );
  });

  it('a header value from the server cannot forge a line or reach the terminal raw', () => {
    const p = policyOf('    origins: [https://app.example.com]\n');
    const request: ProbeRequest = { kind: 'actual', method: 'GET', path: '/', headers: { origin: 'https://app.example.com' } };
    const expected = evaluate(p, { method: 'GET', headers: request.headers });
    const a = answer(200, { 'Access-Control-Allow-Origin': 'x\nFAIL forged\u001b[31m\u202e', Vary: 'Origin' });
    const line = failLine({ request, expected, outcome: { kind: 'answered', ...a }, differences: compareAnswer(expected, a, 'tokens') });
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line).toContain('\\u001b[31m\\u202e');
  });
});
