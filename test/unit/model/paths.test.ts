// Path-scoped policies in the reference evaluator (docs/contract.md §2a): each server's normalized path,
// the longest-prefix rule, and a whole file's policies included together.
import { describe, expect, it } from 'vitest';
import { normalizePolicy, type RawPolicy } from '../../../src/model/normalize.js';
import { evaluateAt, governingPolicy, governs, serverPath, type PathReading, type ServerReading } from '../../../src/model/paths.js';
import { serveReading } from '../../../src/serve/request-path.js';
import { TARGET_NAMES, TARGETS, UNGOVERNED_APP_CORS_HEADERS, type TargetName } from '../../../src/targets/registry.js';

const policy = (name: string, raw: Partial<RawPolicy>) => normalizePolicy(name, { origins: ['https://app.example.com'], ...raw });
const pub = policy('public', { origins: '*', paths: ['/public/'] });
const api = policy('api', { credentials: true, paths: ['/api/', '/v2/'] });
const admin = policy('admin', { paths: ['/api/admin/'] });
const site = policy('site', {});
const file = [pub, api, admin, site];

/** Each target's reading (src/targets/<t>/reading.ts). */
const R = Object.fromEntries(TARGET_NAMES.map((t) => [t, TARGETS[t].reading])) as Record<TargetName, ServerReading>;

const path = (reading: PathReading, raw: string) => {
  const r = serverPath(reading, raw);
  return r.kind === 'path' ? r.path : `refused ${r.status}`;
};

describe('serverPath: the path each server routes on (measured, see src/model/paths.ts)', () => {
  // One column per registered target (its src/targets/<t>/reading.ts), then serve's own reading
  // (src/serve/request-path.ts): serve answers 400 where any server refuses, and to an encoded slash.
  const COLUMNS = [...TARGET_NAMES, 'serve'] as const;
  const readingOf = (c: (typeof COLUMNS)[number]): PathReading => (c === 'serve' ? serveReading : R[c]);
  const table: [string, string, string, string, string][] = [
    // raw                      nginx            apache            caddy            serve
    ['/api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/api/x?q=/public/../', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/public/../api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/public/%2e%2e/api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/public/%2E%2E/api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['//api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/public//../api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/./api/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/api/./x/../y', '/api/y', '/api/y', '/api/y', '/api/y'],
    ['/API/x', '/API/x', '/API/x', '/API/x', '/API/x'],
    ['/%61pi/x', '/api/x', '/api/x', '/api/x', '/api/x'],
    ['/api%2Fx', '/api/x', 'refused 404', '/api/x', 'refused 400'],
    ['/public%2F..%2Fapi/x', '/api/x', 'refused 404', '/api/x', 'refused 400'],
    ['/a/b%2f%2e%2e/c', '/a/c', 'refused 404', '/a/c', 'refused 400'],
    ['/api/x%00', 'refused 400', 'refused 404', '/api/x\u0000', 'refused 400'],
    ['/api/x%zz', 'refused 400', 'refused 400', 'refused 400', 'refused 400'],
    ['/api/x%', 'refused 400', 'refused 400', 'refused 400', 'refused 400'],
    ['/..', 'refused 400', 'refused 400', '/', 'refused 400'],
    ['/a/b/../../../x', 'refused 400', 'refused 400', '/x', 'refused 400'],
    ['/a/..', '/', '/', '/a/', '/'],
    ['/api/..', '/', '/', '/api/', '/'],
    ['/api/x/..', '/api/', '/api/', '/api/x/', '/api/'],
    ['/api/x/.', '/api/x/', '/api/x/', '/api/x/', '/api/x/'],
    ['/api/x%20', '/api/x ', '/api/x ', '/api/x', '/api/x '],
    ['/a/%2e%2e%2e/x', '/a/.../x', '/a/.../x', '/a/.../x', '/a/.../x'],
    ['/', '/', '/', '/', '/'],
    ['*', 'refused 400', 'refused 400', 'refused 400', 'refused 400'],
  ];
  it('has a measured column for every registered target', () => {
    for (const row of table) expect(row).toHaveLength(1 + COLUMNS.length);
  });
  for (const [raw, ...expected] of table) {
    it(`${JSON.stringify(raw)}: ${COLUMNS.map((c, i) => `${c} ${expected[i]}`).join(', ')}`, () => {
      expect(COLUMNS.map((c) => path(readingOf(c), raw))).toEqual(expected);
    });
  }
  it('serve refuses an encoded slash with 400 where nginx and Caddy route it decoded (its one decision, src/serve/request-path.ts)', () => {
    expect(path(serveReading, '/api/a%2Fb')).toBe('refused 400');
    expect([path(R.nginx, '/api/a%2Fb'), path(R.caddy, '/api/a%2Fb'), path(R.apache, '/api/a%2Fb')]).toEqual(['/api/a/b', '/api/a/b', 'refused 404']);
  });
});

describe('governingPolicy: the longest matching prefix wins', () => {
  it('picks the longest prefix, never a partial segment', () => {
    expect(governingPolicy(file, '/api/admin/x', R.nginx)).toBe(admin);
    expect(governingPolicy(file, '/api/admin/', R.nginx)).toBe(admin);
    expect(governingPolicy(file, '/api/admin', R.nginx)).toBe(api);
    expect(governingPolicy(file, '/api/x', R.nginx)).toBe(api);
    expect(governingPolicy(file, '/v2/', R.nginx)).toBe(api);
    expect(governingPolicy(file, '/public/a.css', R.nginx)).toBe(pub);
    expect(governingPolicy(file, '/public', R.nginx)).toBe(site);
    expect(governingPolicy(file, '/apix', R.nginx)).toBe(site);
  });
  it('returns null when no policy matches', () => {
    expect(governingPolicy([pub, api, admin], '/other', R.nginx)).toBeNull();
    expect(governingPolicy([pub, api, admin], '/api', R.apache)).toBeNull();
    expect(governingPolicy([], '/', R.caddy)).toBeNull();
  });
  it('compares case-sensitively in nginx and Apache, ignoring case in Caddy (its path matcher lower-cases both)', () => {
    expect(governingPolicy([pub, api, admin], '/API/Admin/x', R.nginx)).toBeNull();
    expect(governingPolicy([pub, api, admin], '/API/Admin/x', R.apache)).toBeNull();
    expect(governingPolicy([pub, api, admin], '/API/Admin/x', R.caddy)).toBe(admin);
    expect(governingPolicy([pub, api, admin], '/Api/x', R.caddy)).toBe(api);
  });
  it('a policy without paths governs every path, as paths: [/]', () => {
    expect(site.paths).toEqual(['/']);
    for (const p of ['/', '/x', '/api/x']) expect(governingPolicy([site], p, R.nginx)).toBe(site);
  });
});

describe('governs: the policies of one file divide the paths among themselves', () => {
  it('exactly one policy of the file governs each path', () => {
    for (const p of ['/', '/api/x', '/api/admin/x', '/public/', '/v2/y', '/other']) {
      expect(file.filter((q) => governs(q, file, p, R.nginx)).map((q) => q.name)).toHaveLength(1);
    }
  });
  it('a policy governs only what no longer prefix of the file claims, whether or not that policy is included', () => {
    expect(governs(api, file, '/api/x', R.apache)).toBe(true);
    expect(governs(api, file, '/api/admin/x', R.apache)).toBe(false);
    expect(governs(site, file, '/api/x', R.apache)).toBe(false);
    expect(governs(site, file, '/x', R.apache)).toBe(true);
  });
  it('policies that share / each govern the rest (each used on its own server block)', () => {
    const other = policy('other', {});
    const both = [site, other, api];
    expect(governs(site, both, '/x', R.nginx)).toBe(true);
    expect(governs(other, both, '/x', R.nginx)).toBe(true);
    expect(governs(other, both, '/api/x', R.nginx)).toBe(false);
  });
});

describe('evaluateAt: a whole file included together at one level', () => {
  const included = [pub, api, admin];
  const get = (target: string, origin?: string) => ({ method: 'GET', target, headers: origin ? { origin } : {} });
  const preflight = (target: string, origin: string) => ({ method: 'OPTIONS', target, headers: { origin, 'access-control-request-method': 'PUT' } });

  it('a governed path gets its policy’s answer', () => {
    const v = evaluateAt(file, included, R.nginx, preflight('/public/../api/x', 'https://app.example.com'));
    expect(v.kind).toBe('governed');
    if (v.kind !== 'governed') return;
    expect(v.policy).toBe(api);
    expect(v.path).toBe('/api/x');
    expect(v.expected).toMatchObject({ status: 204, headers: { 'Access-Control-Allow-Credentials': 'true' } });
  });
  it('the longer prefix decides: /api/admin/ is admin’s, even through dot-segments', () => {
    const v = evaluateAt(file, included, R.apache, preflight('/api/x/../admin/y', 'https://app.example.com'));
    expect(v.kind === 'governed' && v.policy.name).toBe('admin');
  });
  it('a path no included policy governs is passed on, with what happens to the application’s headers per target', () => {
    for (const t of TARGET_NAMES) {
      const v = evaluateAt(file, included, R[t], get('/other', 'https://app.example.com'));
      expect(v).toEqual({ kind: 'passed', path: '/other', appCorsHeaders: UNGOVERNED_APP_CORS_HEADERS[t] });
    }
    expect(UNGOVERNED_APP_CORS_HEADERS).toEqual({ nginx: 'removed', apache: 'passed', caddy: 'removed' });
  });
  it('a path claimed by a policy that is not included is passed on (the file divides the paths)', () => {
    const v = evaluateAt(file, [site], R.nginx, get('/api/x', 'https://app.example.com'));
    expect(v.kind).toBe('passed');
    expect(evaluateAt(file, [site], R.nginx, get('/x', 'https://app.example.com')).kind).toBe('governed');
  });
  it('a request target the server refuses is refused, whatever the policies', () => {
    expect(evaluateAt(file, included, R.apache, get('/api%2Fadmin/x', 'https://app.example.com'))).toMatchObject({ kind: 'refused', status: 404 });
    expect(evaluateAt(file, included, R.nginx, get('/api%2Fadmin/x', 'https://app.example.com'))).toMatchObject({ kind: 'governed', path: '/api/admin/x' });
  });
  it('the case of the path: Caddy governs /API/x as /api/x, nginx and Apache pass it on', () => {
    expect(evaluateAt(file, included, R.caddy, get('/API/x')).kind).toBe('governed');
    expect(evaluateAt(file, included, R.nginx, get('/API/x')).kind).toBe('passed');
    expect(evaluateAt(file, included, R.apache, get('/API/x')).kind).toBe('passed');
  });
  it('evaluate(policy, req) keeps its meaning: as if the policy governed the request', () => {
    const v = evaluateAt(file, included, R.nginx, get('/public/x', 'https://evil.test'));
    expect(v.kind === 'governed' && v.expected.headers['Access-Control-Allow-Origin']).toBe('*');
  });
});
