// Proxy mode (docs/contract.md §6) in the real Caddy: the generated snippets, imported together in one site
// on 127.0.0.1, in front of a loopback HTTPS upstream with a certificate of its own test CA
// (test/serve/https-upstream.ts). What the upstream saw (path, Host, SNI, cookies) is recorded;
// every Access-Control-* header is judged by the reference evaluator.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.js';
import { evaluate, type CorsRequest } from '../../src/model/evaluate.js';
import type { Policy, PolicySet } from '../../src/model/types.js';
import { CORS_RESPONSE_HEADERS } from '../../src/model/types.js';
import { compilePolicy } from '../harness/policy.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type RunningServer } from '../harness/process.js';
import { UPSTREAM_CORS_HEADERS } from '../harness/upstream.js';
import { BIG_BODY_BYTES, startHttpsUpstream, type HttpsUpstream } from '../serve/https-upstream.js';
import { makeTestPki, type TestPki } from '../serve/test-ca.js';
import { startServe, type ServeProcess } from '../serve/serve-process.js';
import { env } from './caddy.driver.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The Access-Control-* headers of an answer, by their canonical names. */
function corsHeaders(a: Answer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CORS_RESPONSE_HEADERS) {
    const v = a.headers[name.toLowerCase()];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(' | ') : v;
  }
  return out;
}

describe('caddy proxy mode: the generated snippets in front of an HTTPS API', () => {
  let pki: TestPki;
  let upstream: HttpsUpstream;
  let set: PolicySet;
  let server: RunningServer | undefined;
  let dir: string;
  let port: number;
  let yaml: string;
  const policy = (name: string): Policy => set.policies.find((p) => p.name === name)!;

  /** Sends the request and checks every CORS header against the evaluator for that policy. */
  async function judged(name: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    const a = await send(port, method, path, headers, body);
    const req: CorsRequest = { method, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
    const want = evaluate(policy(name), req);
    expect(corsHeaders(a), `${method} ${path}`).toEqual(want.headers);
    expect(String(a.headers.vary ?? '')).toMatch(/(^|, *)Origin(,|$)/);
    if (want.status !== 'upstream') expect(a.status).toBe(want.status);
    return a;
  }

  beforeAll(async () => {
    pki = makeTestPki();
    upstream = await startHttpsUpstream(pki);
    const [site, closed] = await freePorts(2);
    port = site!;
    const api = `https://localhost:${upstream.port}/v1/`;
    yaml = `version: 1
policies:
  api:
    origins: [${APP}]
    exposeHeaders: [X-Request-Id]
    paths: [/api/]
    upstream: { url: "${api}", ca: "${pki.caFile}" }
  creds:
    origins: [${APP}]
    credentials: true
    paths: [/creds/]
    upstream: { url: "${api}", ca: "${pki.caFile}" }
  untrusted:
    origins: [${APP}]
    paths: [/untrusted/]
    upstream: { url: "${api}" }
  other-ca:
    origins: [${APP}]
    paths: [/other-ca/]
    upstream: { url: "${api}", ca: "${pki.otherCaFile}" }
  down:
    origins: [${APP}]
    paths: [/down/]
    upstream: { url: "https://localhost:${closed}/v1/", ca: "${pki.caFile}" }
`;
    set = compilePolicy(yaml, 'proxy.yaml');
    dir = makeTempDir('caddy-proxy');
    const corsDir = join(dir, 'cors');
    mkdirSync(corsDir);
    for (const f of generate(set, 'caddy')) writeFileSync(join(corsDir, f.path), f.contents);
    for (const d of Object.values(env(dir))) mkdirSync(d, { recursive: true });
    const imports = set.policies.map((p) => `\timport cors-${p.name}\n`).join('');
    writeFileSync(
      join(dir, 'Caddyfile'),
      `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(dir, 'data')}\n}\n\n` +
        `import ${join(corsDir, 'cors.caddy')}\n\nhttp://127.0.0.1:${port} {\n${imports}\trespond "not proxied" 200\n}\n`,
    );
    handOver(dir);
    const spec = { cmd: 'caddy', args: ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], env: env(dir), cwd: dir };
    const check = runCommand({ ...spec, args: ['validate', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'] });
    expect(check.status, check.output).toBe(0);
    server = await startServer(spec, [port]);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
    if (pki) removeDir(pki.dir);
  });

  const seenSince = (before: number) => upstream.seen.slice(before);

  it('maps the cleaned path minus the prefix onto the base path, query kept; nothing climbs out of /v1/', async () => {
    const cases: [string, string | null][] = [
      ['/api/x?q=1&r=%2F', '/v1/x?q=1&r=%2F'],
      ['/api/', '/v1/'],
      ['//api//x', '/v1/x'],
      ['/api/a/../b', '/v1/b'],
      ['/api/a/%2e%2e/b', '/v1/b'],
      ['/api/a%2Fb', '/v1/a/b'],
      ['/API/X', '/v1/X'],
      ['/api/a%20b', '/v1/a%20b'],
      // Out of /api/ once cleaned: not this policy's (the site answers), never the upstream.
      ['/api/../x', null],
      ['/api/%2e%2e/x', null],
      ['/api/x%2F..%2F..%2Fy', null],
    ];
    for (const [path, forwarded] of cases) {
      const before = upstream.seen.length;
      const a = await send(port, 'GET', path, { Origin: APP });
      const seen = seenSince(before);
      if (forwarded === null) {
        expect(seen, path).toEqual([]);
        expect(a.body.toString(), path).toBe('not proxied');
      } else {
        expect(seen.map((s) => s.url), path).toEqual([forwarded]);
        expect(a.status, path).toBe(200);
      }
    }
    // A rest that Caddy's rewrite would decode once more (%25…) is never forwarded: 400.
    const before = upstream.seen.length;
    const a = await judged('api', 'GET', '/api/%252e%252e/%252e%252e/admin', { Origin: APP });
    expect(a.status).toBe(400);
    expect(seenSince(before)).toEqual([]);
    for (const s of upstream.seen) expect(s.url.startsWith('/v1/') && !s.url.includes('..')).toBe(true);
  });

  it('sends the upstream its own Host and SNI', async () => {
    const before = upstream.seen.length;
    await judged('api', 'GET', '/api/host', { Origin: APP });
    const [s] = seenSince(before);
    expect(s!.headers.host).toBe(`localhost:${upstream.port}`);
    expect(s!.servername).toBe('localhost');
  });

  it('answers 502 with the CORS headers of an allowed actual request when the certificate does not verify or the upstream is down', async () => {
    for (const name of ['untrusted', 'other-ca', 'down']) {
      const before = upstream.seen.length;
      const a = await judged(name, 'GET', `/${name}/x`, { Origin: APP });
      expect(a.status, name).toBe(502);
      expect(corsHeaders(a)['Access-Control-Allow-Origin'], name).toBe(APP);
      expect(seenSince(before), name).toEqual([]);
    }
    const refused = await judged('down', 'GET', '/down/x', { Origin: EVIL });
    expect(refused.status).toBe(502);
  });

  it('rewrites redirects into the upstream URL onto the proxy, and leaves others alone', async () => {
    expect((await judged('api', 'GET', '/api/redirect-in', { Origin: APP })).headers.location).toBe('/api/landing/page?x=1');
    expect((await judged('api', 'GET', '/api/redirect-relative', { Origin: APP })).headers.location).toBe('/api/landing/other');
    expect((await judged('api', 'GET', '/api/redirect-out', { Origin: APP })).headers.location).toBe('https://elsewhere.example/v1/x');
  });

  it('drops the cookie Domain (or leaves it empty) and maps a Path under the base path', async () => {
    const a = await judged('api', 'GET', '/api/cookie', { Origin: APP });
    const cookies = a.headers['set-cookie'] as string[];
    expect(cookies).toHaveLength(2);
    for (const c of cookies) expect(c).not.toMatch(/domain=[^;\s]/i);
    expect(cookies[0]).toMatch(/^sid=abc;/);
    expect(cookies[0]).toContain('Path=/api/account');
    expect(cookies[1]).toContain('Path=/elsewhere');
  });

  it('forwards Cookie and Authorization only with credentials', async () => {
    const secrets = { Cookie: 'sid=1', Authorization: 'Bearer t' };
    let before = upstream.seen.length;
    await judged('api', 'GET', '/api/who', { Origin: APP, ...secrets });
    const [plain] = seenSince(before);
    expect(plain!.headers.cookie).toBeUndefined();
    expect(plain!.headers.authorization).toBeUndefined();
    before = upstream.seen.length;
    await judged('creds', 'GET', '/creds/who', { Origin: APP, ...secrets });
    const [withCreds] = seenSince(before);
    expect(withCreds!.headers.cookie).toBe('sid=1');
    expect(withCreds!.headers.authorization).toBe('Bearer t');
  });

  it('replaces the upstream’s own CORS headers (allowed, refused and no Origin)', async () => {
    expect(Object.keys(UPSTREAM_CORS_HEADERS).length).toBeGreaterThan(0);
    for (const origin of [APP, EVIL]) await judged('api', 'GET', '/api/x', { Origin: origin });
    const bare = await send(port, 'GET', '/api/x');
    expect(corsHeaders(bare)).toEqual({});
  });

  it('answers preflights itself: the upstream never sees them', async () => {
    const before = upstream.seen.length;
    const allowed = await judged('api', 'OPTIONS', '/api/x', { Origin: APP, 'Access-Control-Request-Method': 'PUT' });
    expect(allowed.status).toBe(204);
    const refused = await judged('api', 'OPTIONS', '/api/x', { Origin: EVIL, 'Access-Control-Request-Method': 'PUT' });
    expect(refused.status).toBe(403);
    expect(seenSince(before)).toEqual([]);
    // A bare OPTIONS is an actual request: forwarded.
    await judged('api', 'OPTIONS', '/api/x', { Origin: APP });
    expect(seenSince(before).map((s) => s.method)).toEqual(['OPTIONS']);
  });

  it('streams large bodies unchanged both ways', async () => {
    const down = await judged('api', 'GET', '/api/big', { Origin: APP });
    expect(down.body.length).toBe(BIG_BODY_BYTES);
    expect(down.body.every((b) => b === 0x62)).toBe(true);
    const before = upstream.seen.length;
    const body = Buffer.alloc(3_000_000, 'u');
    const up = await judged('api', 'POST', '/api/upload', { Origin: APP, 'Content-Type': 'application/octet-stream' }, body);
    expect(up.status).toBe(200);
    expect(seenSince(before).map((s) => s.bodyBytes)).toEqual([body.length]);
  });

  describe('differential: Caddy and cors-gen serve answer the same requests alike', () => {
    const serves: Record<string, ServeProcess> = {};
    beforeAll(async () => {
      const file = join(dir, 'proxy.yaml');
      writeFileSync(file, yaml);
      for (const name of ['api', 'creds', 'down']) serves[name] = await startServe([file, '--policy', name, '--listen', '127.0.0.1:0']);
    }, 60_000);
    afterAll(async () => {
      for (const s of Object.values(serves)) await s.stop();
    });

    /** What §6 fixes about an answer, and what the upstream saw. */
    async function observed(p: number, method: string, path: string, headers: Record<string, string>) {
      const before = upstream.seen.length;
      const a = await send(p, method, path, headers);
      const cookies = ([] as string[]).concat(a.headers['set-cookie'] ?? []).map((c) =>
        c
          .split(';')
          .map((x) => x.trim())
          // An empty Domain (Caddy) and none (serve) are the same to a browser (RFC 6265 §5.2.3).
          .filter((x) => !/^domain=$/i.test(x))
          .join('; '),
      );
      const seen = upstream.seen.slice(before).map((s) => ({ url: s.url, host: s.headers.host, cookie: s.headers.cookie ?? null, authorization: s.headers.authorization ?? null }));
      return { status: a.status, cors: corsHeaders(a), location: a.headers.location ?? null, cookies, seen, bytes: a.status === 502 ? 0 : a.body.length };
    }

    const secrets = { Cookie: 'sid=1', Authorization: 'Bearer t' };
    const requests: [string, string, string, Record<string, string>][] = [];
    for (const [name, prefix] of [['api', '/api/'], ['creds', '/creds/']] as const) {
      for (const origin of [APP, EVIL]) {
        // Not `a%2Fb`, `/API/`, `%25…`: there the servers' own path readings differ (serve refuses an
        // encoded slash with 400 and compares case; src/model/paths.ts), checked above for Caddy.
        for (const rest of ['x?q=1&r=%2F', '', 'a/../b', 'a/%2e%2e/b', 'redirect-in', 'redirect-relative', 'redirect-out', 'cookie', 'big'])
          requests.push([name, 'GET', `${prefix}${rest}`, { Origin: origin, ...secrets }]);
        requests.push([name, 'OPTIONS', `${prefix}x`, { Origin: origin, 'Access-Control-Request-Method': 'PUT' }]);
        requests.push([name, 'OPTIONS', `${prefix}x`, { Origin: origin }]);
      }
      requests.push([name, 'GET', `${prefix}x`, {}]);
      requests.push([name, 'GET', `//${prefix.slice(1)}x`, { Origin: APP }]);
    }
    requests.push(['down', 'GET', '/down/x', { Origin: APP }], ['down', 'GET', '/down/x', { Origin: EVIL }]);

    it(`${requests.length} requests: same status, CORS headers, Location, cookies, and the same request upstream`, async () => {
      for (const [name, method, path, headers] of requests) {
        const fromCaddy = await observed(port, method, path, headers);
        const fromServe = await observed(serves[name]!.port, method, path, headers);
        expect(fromCaddy, `${name}: ${method} ${path} ${JSON.stringify(headers)}`).toEqual(fromServe);
      }
    });
  });
});

describe('caddy proxy mode: a policy without paths makes the whole site the proxy', () => {
  let pki: TestPki;
  let upstream: HttpsUpstream;
  let server: RunningServer | undefined;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    pki = makeTestPki();
    upstream = await startHttpsUpstream(pki);
    [port] = (await freePorts(1)) as [number];
    const set = compilePolicy(
      `version: 1\npolicies:\n  whole:\n    origins: [${APP}]\n    upstream: { url: "https://localhost:${upstream.port}/v1", ca: "${pki.caFile}" }\n`,
      'whole.yaml',
    );
    dir = makeTempDir('caddy-proxy-whole');
    const corsDir = join(dir, 'cors');
    mkdirSync(corsDir);
    for (const f of generate(set, 'caddy')) writeFileSync(join(corsDir, f.path), f.contents);
    for (const d of Object.values(env(dir))) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(dir, 'Caddyfile'),
      `{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n\tstorage file_system ${join(dir, 'data')}\n}\n\n` +
        `import ${join(corsDir, 'cors.caddy')}\n\nhttp://127.0.0.1:${port} {\n\timport cors-whole\n}\n`,
    );
    handOver(dir);
    server = await startServer({ cmd: 'caddy', args: ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], env: env(dir), cwd: dir }, [port]);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
    if (pki) removeDir(pki.dir);
  });

  it('forwards every cleaned path under the base path (a URL without a trailing slash taken to end with one)', async () => {
    for (const [path, forwarded] of [
      ['/x?q=1', '/v1/x?q=1'],
      ['/', '/v1/'],
      ['//x', '/v1/x'],
      ['/a/../b', '/v1/b'],
      ['/../../x', '/v1/x'],
      ['/a/%2e%2e/%2e%2e/x', '/v1/x'],
    ] as const) {
      const before = upstream.seen.length;
      const a = await send(port, 'GET', path, { Origin: APP });
      expect(a.status, path).toBe(200);
      expect(a.headers['access-control-allow-origin'], path).toBe(APP);
      expect(upstream.seen.slice(before).map((s) => s.url), path).toEqual([forwarded]);
    }
    const before = upstream.seen.length;
    expect((await send(port, 'OPTIONS', '/x', { Origin: APP, 'Access-Control-Request-Method': 'PUT' })).status).toBe(204);
    expect((await send(port, 'GET', '/%2525', { Origin: APP })).status).toBe(400);
    expect(upstream.seen.length).toBe(before);
  });
});
