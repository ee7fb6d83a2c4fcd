// Proxy mode (docs/contract.md §6) in the real nginx: the generated files, included at server level, are a
// complete proxy to a loopback HTTPS upstream with its own test CA (test/serve/https-upstream.ts).
// Every answer's CORS headers are judged by the reference evaluator; the proxy facts (path mapping,
// Host and SNI, verification, credentials, redirects, cookies, streaming) by what the upstream saw.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type CorsRequest } from '../../src/model/evaluate.js';
import type { Policy } from '../../src/model/types.js';
import { compareAnswer, describeDifference, varyTokens } from '../../src/verify/compare.js';
import { headerValues } from '../../src/verify/headers.js';
import { freePorts } from '../harness/ports.js';
import { compilePolicy } from '../harness/policy.js';
import { removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { BIG_BODY_BYTES, startHttpsUpstream, type HttpsUpstream } from '../serve/https-upstream.js';
import { makeTestPki, type TestPki } from '../serve/test-ca.js';
import { startServe, type ServeProcess } from '../serve/serve-process.js';
import { CORS_RESPONSE_HEADERS } from '../../src/model/types.js';
import { driver, TEMP_PATHS } from './nginx.driver.js';

const ORIGIN = 'https://app.example.com';

function policyFile(upstreamPort: number, downPort: number, pki: TestPki): string {
  const up = (port: number, ca: string) => `    upstream:\n      url: https://localhost:${port}/v1/\n      ca: ${ca}\n`;
  return `version: 1
policies:
  api:
    origins: [${ORIGIN}]
    exposeHeaders: [X-Request-Id]
    paths: [/api/]
${up(upstreamPort, pki.caFile)}  creds:
    origins: [${ORIGIN}]
    credentials: true
    paths: [/creds/]
${up(upstreamPort, pki.caFile)}  untrusted:
    origins: [${ORIGIN}]
    paths: [/untrusted/]
${up(upstreamPort, pki.otherCaFile)}  down:
    origins: [${ORIGIN}]
    paths: [/down/]
${up(downPort, pki.caFile)}`;
}

interface Answer {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

function call(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('nginx proxy mode: in front of a loopback HTTPS upstream', () => {
  let pki: TestPki;
  let upstream: HttpsUpstream;
  let server: RunningServer | undefined;
  let dir = '';
  let port = 0;
  let policies: readonly Policy[] = [];
  const serves = new Map<string, ServeProcess>();

  beforeAll(async () => {
    pki = makeTestPki();
    upstream = await startHttpsUpstream(pki);
    const [listen, down] = await freePorts(2);
    port = listen!;
    const text = policyFile(upstream.port, down!, pki);
    const set = compilePolicy(text);
    policies = set.policies;
    const prepared = prepareServerDir('nginx', set, 'proxy-nginx', (d, corsDir) => {
      const temp = join(d, 'temp');
      const includes = set.policies.map((p) => `        include ${join(corsDir, `${p.name}.conf`)};`);
      const conf = [
        `pid ${join(d, 'nginx.pid')};`,
        'error_log stderr;',
        'worker_processes 1;',
        'events {\n    worker_connections 512;\n}',
        'http {',
        '    access_log off;',
        ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${join(temp, t)};`),
        `    include ${join(corsDir, 'http.conf')};`,
        '    server {',
        `        listen 127.0.0.1:${port};`,
        ...includes,
        '    }',
        '}',
        '',
      ].join('\n');
      for (const t of TEMP_PATHS) mkdirSync(join(temp, t), { recursive: true });
      writeFileSync(join(d, 'nginx.conf'), conf);
      return join(d, 'nginx.conf');
    });
    dir = prepared.dir;
    server = await checkAndStart(driver, prepared, [port]);
    // `cors-gen serve` on the same policy file, one process per policy: the differential reference.
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, text);
    for (const p of set.policies) serves.set(p.name, await startServe([file, '--policy', p.name, '--listen', '127.0.0.1:0']));
  }, 60_000);

  afterAll(async () => {
    for (const s of serves.values()) await s.stop();
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
    if (pki) removeDir(pki.dir);
  });

  const policy = (name: string) => policies.find((p) => p.name === name)!;
  /** The evaluator's CORS answer for this request, compared byte for byte; [] when they agree. */
  function corsProblems(name: string, req: CorsRequest, res: Answer): string[] {
    const want = evaluate(policy(name), req);
    const problems = compareAnswer(want, { status: res.status, rawHeaders: res.rawHeaders }, 'exact').map(describeDifference);
    if (want.varyOrigin && !varyTokens(res.rawHeaders).includes('origin')) problems.push('no Vary: Origin');
    return problems;
  }
  const seenSince = (n: number) => upstream.seen.slice(n);

  it('maps the path under the upstream URL (prefix removed, query kept); Host and SNI are the upstream\'s; CORS headers replaced', async () => {
    const before = upstream.seen.length;
    const headers = { origin: ORIGIN };
    const res = await call(port, 'GET', '/api/today?city=Paris&x=%2F', headers);
    expect(res.status).toBe(200);
    expect(corsProblems('api', { method: 'GET', headers }, res)).toEqual([]);
    expect(headerValues(res.rawHeaders, 'access-control-allow-origin')).toEqual([ORIGIN]); // the upstream's "*" is gone
    expect(varyTokens(res.rawHeaders)).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
    const seen = seenSince(before);
    expect(seen.map((s) => s.url)).toEqual(['/v1/today?city=Paris&x=%2F']);
    expect(seen[0]!.headers.host).toBe(`localhost:${upstream.port}`);
    expect(seen[0]!.servername).toBe('localhost');
  });

  const forms: [string, string | null][] = [
    ['/api/a/../b', '/v1/b'],
    ['/api/a/%2e%2e/b', '/v1/b'],
    ['//api//x', '/v1/x'],
    ['/api/./x', '/v1/x'],
    ['/api/a%2Fb', '/v1/a/b'],
    // Leaving the prefix: no longer governed by this policy, never forwarded.
    ['/api/../etc/passwd', null],
    ['/api/%2e%2e/etc', null],
    ['/api/..%2F..%2Fetc', null],
    ['/api/%2e%2e%2fx', null],
  ];
  for (const [target, expected] of forms) {
    it(`${target} → ${expected ?? 'not forwarded'}`, async () => {
      const before = upstream.seen.length;
      const res = await call(port, 'GET', target, { origin: ORIGIN });
      const urls = seenSince(before).map((s) => s.url);
      if (expected === null) {
        expect(urls).toEqual([]);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(headerValues(res.rawHeaders, 'access-control-allow-origin')).toEqual([]);
      } else {
        expect(urls).toEqual([expected]);
        for (const u of urls) expect(u.startsWith('/v1/')).toBe(true);
      }
    });
  }

  it('preflights are answered without reaching the upstream (204 allowed, 403 refused)', async () => {
    const before = upstream.seen.length;
    for (const origin of [ORIGIN, 'https://evil.example']) {
      const headers = { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' };
      const res = await call(port, 'OPTIONS', '/api/x', headers);
      expect(corsProblems('api', { method: 'OPTIONS', headers }, res)).toEqual([]);
      expect(res.status).toBe(origin === ORIGIN ? 204 : 403);
    }
    expect(seenSince(before)).toEqual([]);
  });

  it('an upstream whose certificate does not verify: 502 with the CORS headers of an allowed actual request', async () => {
    const before = upstream.seen.length;
    const headers = { origin: ORIGIN };
    const res = await call(port, 'GET', '/untrusted/x', headers);
    expect(res.status).toBe(502);
    expect(corsProblems('untrusted', { method: 'GET', headers }, res)).toEqual([]);
    expect(headerValues(res.rawHeaders, 'access-control-allow-origin')).toEqual([ORIGIN]);
    expect(seenSince(before)).toEqual([]);
  });

  it('an upstream that is down: 502 with the CORS headers of an allowed actual request', async () => {
    const headers = { origin: ORIGIN };
    const res = await call(port, 'GET', '/down/x', headers);
    expect(res.status).toBe(502);
    expect(corsProblems('down', { method: 'GET', headers }, res)).toEqual([]);
    expect(headerValues(res.rawHeaders, 'access-control-allow-origin')).toEqual([ORIGIN]);
  });

  it('redirects into the upstream URL are mapped onto the proxy; others pass unchanged', async () => {
    const location = async (path: string) => headerValues((await call(port, 'GET', path, { origin: ORIGIN })).rawHeaders, 'location');
    expect(await location('/api/redirect-in')).toEqual(['/api/landing/page?x=1']);
    expect(await location('/api/redirect-relative')).toEqual(['/api/landing/other']);
    expect(await location('/api/redirect-out')).toEqual(['https://elsewhere.example/v1/x']);
  });

  it('Set-Cookie: Domain emptied (browsers ignore it), a Path under the upstream URL mapped', async () => {
    const res = await call(port, 'GET', '/api/cookie', { origin: ORIGIN });
    const cookies = headerValues(res.rawHeaders, 'set-cookie');
    expect(cookies).toHaveLength(2);
    for (const c of cookies) {
      for (const attr of c.split(';').slice(1)) {
        const [k, v] = attr.split('=').map((s) => s.trim());
        if (k!.toLowerCase() === 'domain') expect(v).toBe('');
      }
    }
    expect(cookies[0]).toMatch(/^sid=abc;.*Path=\/api\/account;/i);
    expect(cookies[1]).toMatch(/Path=\/elsewhere/);
  });

  it('Cookie and Authorization reach the upstream only with credentials: true', async () => {
    const headers = { origin: ORIGIN, cookie: 'sid=1', authorization: 'Bearer t' };
    let before = upstream.seen.length;
    await call(port, 'GET', '/api/who', headers);
    const plain = seenSince(before)[0]!;
    expect(plain.headers.cookie).toBeUndefined();
    expect(plain.headers.authorization).toBeUndefined();
    before = upstream.seen.length;
    const res = await call(port, 'GET', '/creds/who', headers);
    expect(corsProblems('creds', { method: 'GET', headers }, res)).toEqual([]);
    const creds = seenSince(before)[0]!;
    expect(creds.headers.cookie).toBe('sid=1');
    expect(creds.headers.authorization).toBe('Bearer t');
  });

  it('bodies pass unchanged both ways (1 MB up, 1 MB down)', async () => {
    const before = upstream.seen.length;
    const up = await call(port, 'POST', '/api/upload', { origin: ORIGIN, 'content-type': 'application/octet-stream' }, Buffer.alloc(BIG_BODY_BYTES, 'u'));
    expect(up.status).toBe(200);
    expect(seenSince(before)[0]!.bodyBytes).toBe(BIG_BODY_BYTES);
    const down = await call(port, 'GET', '/api/big', { origin: ORIGIN });
    expect(down.body.length).toBe(BIG_BODY_BYTES);
    expect(down.body.equals(Buffer.alloc(BIG_BODY_BYTES, 'b'))).toBe(true);
  });

  /** What both proxies must agree on: status, CORS headers, Location, cookies (an empty Domain counts as none), what the upstream saw. */
  async function observe(p: number, method: string, path: string, headers: Record<string, string>) {
    const before = upstream.seen.length;
    const res = await call(p, method, path, headers);
    const cors = Object.fromEntries(CORS_RESPONSE_HEADERS.map((h) => [h, headerValues(res.rawHeaders, h)]));
    const cookies = headerValues(res.rawHeaders, 'set-cookie').map((c) => c.replace(/;\s*domain=\s*(?=;|$)/gi, ''));
    const seen = seenSince(before).map((x) => ({ url: x.url, host: x.headers.host, servername: x.servername, cookie: x.headers.cookie, authorization: x.headers.authorization }));
    return { status: res.status, cors, location: headerValues(res.rawHeaders, 'location'), cookies, vary: varyTokens(res.rawHeaders).includes('origin'), seen };
  }

  const requests: [string, string, string, Record<string, string>][] = [
    ['api', 'GET', '/api/today?city=Paris&x=%2F', { origin: ORIGIN }],
    ['api', 'GET', '/api/a/../b', { origin: ORIGIN }],
    ['api', 'GET', '/api/a/%2e%2e/b', { origin: ORIGIN }],
    ['api', 'GET', '//api//x', { origin: ORIGIN }],
    ['api', 'GET', '/api/x', { origin: 'https://evil.example' }],
    ['api', 'GET', '/api/x', {}],
    ['api', 'OPTIONS', '/api/x', { origin: ORIGIN, 'access-control-request-method': 'PUT' }],
    ['api', 'OPTIONS', '/api/x', { origin: 'https://evil.example', 'access-control-request-method': 'PUT' }],
    ['api', 'OPTIONS', '/api/x', { origin: ORIGIN }],
    ['api', 'GET', '/api/redirect-in', { origin: ORIGIN }],
    ['api', 'GET', '/api/redirect-relative', { origin: ORIGIN }],
    ['api', 'GET', '/api/redirect-out', { origin: ORIGIN }],
    ['api', 'GET', '/api/cookie', { origin: ORIGIN }],
    ['api', 'GET', '/api/who', { origin: ORIGIN, cookie: 'sid=1', authorization: 'Bearer t' }],
    ['creds', 'GET', '/creds/who', { origin: ORIGIN, cookie: 'sid=1', authorization: 'Bearer t' }],
    ['creds', 'OPTIONS', '/creds/x', { origin: ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' }],
    ['untrusted', 'GET', '/untrusted/x', { origin: ORIGIN }],
    ['down', 'GET', '/down/x', { origin: ORIGIN }],
  ];
  for (const [name, method, path, headers] of requests) {
    it(`differential: nginx answers as cors-gen serve — ${name}: ${method} ${path} ${JSON.stringify(headers)}`, async () => {
      const fromNginx = await observe(port, method, path, headers);
      const fromServe = await observe(serves.get(name)!.port, method, path, headers);
      expect(fromNginx).toEqual(fromServe);
    });
  }
});
