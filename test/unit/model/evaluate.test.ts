// The reference evaluator against docs/contract.md §2, row by row, and the matching examples of §2.
import { describe, expect, it } from 'vitest';
import { evaluate, isPreflight, matchOrigin, type CorsRequest } from '../../../src/model/evaluate.js';
import { normalizePolicy, type RawPolicy } from '../../../src/model/normalize.js';

const policy = (raw: RawPolicy) => normalizePolicy('p', raw);
const req = (method: string, headers: Record<string, string> = {}): CorsRequest => ({ method, headers });
const preflight = (origin: string, extra: Record<string, string> = {}) =>
  req('OPTIONS', { origin, 'access-control-request-method': 'PUT', ...extra });

const api = policy({
  origins: ['https://app.example.com'],
  methods: ['GET', 'PUT'],
  allowHeaders: ['Content-Type', 'Authorization'],
  exposeHeaders: ['X-Request-Id', 'X-Total'],
  credentials: true,
  maxAge: 600,
  privateNetwork: true,
});

describe('preflight detection (OPTIONS + Origin + non-empty ACRM)', () => {
  it('needs all three', () => {
    expect(isPreflight(preflight('https://a.test'))).toBe(true);
    expect(isPreflight(req('OPTIONS', { origin: 'https://a.test' }))).toBe(false);
    expect(isPreflight(req('OPTIONS', { origin: 'https://a.test', 'access-control-request-method': '' }))).toBe(false);
    expect(isPreflight(req('OPTIONS', { 'access-control-request-method': 'PUT' }))).toBe(false);
    expect(isPreflight(req('GET', { origin: 'https://a.test', 'access-control-request-method': 'PUT' }))).toBe(false);
    expect(isPreflight(req('options', { origin: 'https://a.test', 'access-control-request-method': 'PUT' }))).toBe(false);
  });
});

describe('behaviour table', () => {
  it('preflight, origin allowed: 204 from the server with the policy lists', () => {
    const r = evaluate(api, preflight('https://app.example.com', { 'access-control-request-private-network': 'true' }));
    expect(r).toMatchObject({ outcome: 'preflight-allowed', forwarded: false, status: 204, varyOrigin: true });
    expect(r.headers).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'GET, PUT',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      'Access-Control-Max-Age': '600',
      'Access-Control-Allow-Private-Network': 'true',
    });
  });

  it('preflight, allowed origin, method not in the list: still 204 with the lists (the browser refuses)', () => {
    const r = evaluate(api, req('OPTIONS', { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH' }));
    expect(r.status).toBe(204);
    expect(r.headers['Access-Control-Allow-Methods']).toBe('GET, PUT');
  });

  it('private network header only when asked with exactly "true" and enabled', () => {
    expect(evaluate(api, preflight('https://app.example.com')).headers['Access-Control-Allow-Private-Network']).toBeUndefined();
    expect(evaluate(api, preflight('https://app.example.com', { 'access-control-request-private-network': 'yes' })).headers['Access-Control-Allow-Private-Network']).toBeUndefined();
    const noPna = policy({ origins: ['https://app.example.com'] });
    expect(evaluate(noPna, preflight('https://app.example.com', { 'access-control-request-private-network': 'true' })).headers['Access-Control-Allow-Private-Network']).toBeUndefined();
  });

  it('preflight, origin not allowed: 403 from the server, no CORS header', () => {
    const r = evaluate(api, preflight('https://evil.test'));
    expect(r).toMatchObject({ outcome: 'preflight-refused', forwarded: false, status: 403, headers: {} });
  });

  it('actual, origin allowed: forwarded, ACAO once, credentials, expose list', () => {
    const r = evaluate(api, req('GET', { origin: 'https://app.example.com' }));
    expect(r).toMatchObject({ outcome: 'actual-allowed', forwarded: true, status: 'upstream' });
    expect(r.headers).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'X-Request-Id, X-Total',
    });
  });

  it('a bare OPTIONS is an actual request', () => {
    const r = evaluate(api, req('OPTIONS', { origin: 'https://app.example.com' }));
    expect(r).toMatchObject({ kind: 'actual', outcome: 'actual-allowed', forwarded: true });
    expect(r.headers['Access-Control-Allow-Methods']).toBeUndefined();
  });

  it('actual, origin not allowed, or no Origin: forwarded without CORS headers', () => {
    expect(evaluate(api, req('GET', { origin: 'https://evil.test' }))).toMatchObject({ outcome: 'actual-refused', forwarded: true, headers: {} });
    expect(evaluate(api, req('GET'))).toMatchObject({ outcome: 'actual-without-origin', forwarded: true, headers: {} });
    expect(evaluate(api, req('OPTIONS', { 'access-control-request-method': 'PUT' }))).toMatchObject({ kind: 'actual', forwarded: true, headers: {} });
  });

  it('every response varies on Origin', () => {
    for (const r of [preflight('https://app.example.com'), preflight('https://evil.test'), req('GET'), req('GET', { origin: 'https://x.test' })]) {
      expect(evaluate(api, r).varyOrigin).toBe(true);
    }
  });

  it('omits empty lists and an unset maxAge; keeps maxAge 0', () => {
    const bare = policy({ origins: ['https://app.example.com'], methods: [] });
    expect(evaluate(bare, preflight('https://app.example.com')).headers).toEqual({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
    const zero = policy({ origins: ['https://app.example.com'], maxAge: 0 });
    expect(evaluate(zero, preflight('https://app.example.com')).headers['Access-Control-Max-Age']).toBe('0');
  });

  it('defaults: methods GET, HEAD, POST; no credentials', () => {
    const d = policy({ origins: ['https://app.example.com'] });
    const h = evaluate(d, preflight('https://app.example.com')).headers;
    expect(h['Access-Control-Allow-Methods']).toBe('GET, HEAD, POST');
    expect(h['Access-Control-Allow-Credentials']).toBeUndefined();
    expect(h['Access-Control-Allow-Headers']).toBeUndefined();
  });
});

describe('origins: "*"', () => {
  const pub = policy({ origins: '*', methods: ['*'], allowHeaders: ['*', 'Authorization'], exposeHeaders: ['*'] });
  it('sends * without reflecting, literal * lists, Authorization beside *', () => {
    const r = evaluate(pub, preflight('https://anything.test', { 'access-control-request-headers': 'x-a' }));
    expect(r.headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': '*',
      'Access-Control-Allow-Headers': '*, Authorization',
    });
    expect(evaluate(pub, req('GET', { origin: 'null' })).headers).toEqual({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': '*' });
  });
  it('still sends nothing without an Origin', () => {
    expect(evaluate(pub, req('GET')).headers).toEqual({});
  });
});

describe('credentials with "*" in methods or allowHeaders reflect the request', () => {
  const star = policy({ origins: ['https://app.example.com'], credentials: true, methods: ['*'], allowHeaders: ['*', 'Authorization'] });
  it('reflects ACRM and ACRH after the listed names', () => {
    const r = evaluate(star, preflight('https://app.example.com', { 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-a,x-b' }));
    expect(r.headers['Access-Control-Allow-Methods']).toBe('PATCH');
    expect(r.headers['Access-Control-Allow-Headers']).toBe('Authorization, x-a,x-b');
  });
  it('lists Authorization alone when no headers are requested', () => {
    const r = evaluate(star, preflight('https://app.example.com'));
    expect(r.headers['Access-Control-Allow-Headers']).toBe('Authorization');
  });
  it('omits the header when nothing is listed and nothing requested', () => {
    const onlyStar = policy({ origins: ['https://app.example.com'], credentials: true, allowHeaders: ['*'], methods: ['GET', '*'] });
    const r = evaluate(onlyStar, preflight('https://app.example.com'));
    expect(r.headers['Access-Control-Allow-Headers']).toBeUndefined();
    expect(r.headers['Access-Control-Allow-Methods']).toBe('GET, PUT');
  });
});

describe('origin matching (docs/contract.md §2 examples)', () => {
  const wild = policy({ origins: ['https://*.example.com'] });
  it.each(['https://a.example.com', 'https://a.b.example.com'])('*.example.com matches %s', (o) => {
    expect(matchOrigin(wild, o).allowed).toBe(true);
  });
  it.each([
    'https://example.com',
    'https://a.example.com.evil.test',
    'https://evilexample.com',
    'http://a.example.com',
    'https://a.example.com:8443',
    'null',
    'https://-a.example.com',
    'https://a..example.com',
  ])('*.example.com refuses %s', (o) => {
    expect(matchOrigin(wild, o).allowed).toBe(false);
  });

  it('port wildcard matches any port or none, on that host and scheme only', () => {
    const local = policy({ origins: ['http://localhost:*'] });
    for (const o of ['http://localhost', 'http://localhost:3000', 'http://localhost:65535']) expect(matchOrigin(local, o).allowed).toBe(true);
    for (const o of ['https://localhost:3000', 'http://localhost.evil.test:3000', 'http://localhostx:1', 'http://a.localhost:1']) expect(matchOrigin(local, o).allowed).toBe(false);
  });

  it('exact origins compare byte for byte', () => {
    const exact = policy({ origins: ['https://app.example.com'] });
    expect(matchOrigin(exact, 'https://app.example.com').allowed).toBe(true);
    for (const o of ['https://app.example.com.evil.test', 'https://evilapp.example.com', 'https://appxexample.com', 'http://app.example.com', 'https://app.example.com:443x', 'null', ''])
      expect(matchOrigin(exact, o).allowed).toBe(false);
  });

  it('regex entries are applied as written (anchored by the checks)', () => {
    const re = policy({ origins: [{ regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$' }] });
    expect(matchOrigin(re, 'https://pr-12.preview.example.net').allowed).toBe(true);
    expect(matchOrigin(re, 'https://pr-12xpreview.example.net').allowed).toBe(false);
  });

  it('null never matches without the opt-in', () => {
    for (const p of [wild, policy({ origins: ['http://localhost:*'] })]) expect(matchOrigin(p, 'null').allowed).toBe(false);
  });

  it('reports which entry matched', () => {
    const mixed = policy({ origins: ['https://app.example.com', 'https://*.example.com'] });
    expect(matchOrigin(mixed, 'https://x.example.com')).toEqual({ allowed: true, matched: mixed.origins.kind === 'list' ? mixed.origins.matchers[1] : undefined });
  });
});
