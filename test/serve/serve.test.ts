// cors-gen serve as a user runs it (a child process, bin/cors-gen.js serve …) in front of a real
// HTTPS upstream on loopback with its own test CA (docs/contract.md §3b, §6). What the upstream saw (path,
// Host, SNI, headers) is recorded by the upstream itself, not by serve.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from '../harness/process.js';
import { corsNames, get, portRefuses, rawConnect, values } from './client.js';
import { BIG_BODY_BYTES, startHttpsUpstream, type HttpsUpstream } from './https-upstream.js';
import { startServe, type ServeProcess } from './serve-process.js';
import { makeTestPki, type TestPki } from './test-ca.js';

const APP = 'https://app.example.com';

function policyFile(pki: TestPki, upstreamPort: number): string {
  const file = join(pki.dir, 'policy.yaml');
  writeFileSync(
    file,
    `version: 1
policies:
  api:
    origins: [${APP}]
    methods: [GET, POST, PUT]
    allowHeaders: [Content-Type, Authorization]
    exposeHeaders: [X-Request-Id]
    credentials: true
    maxAge: 600
    paths: [/api/]
    upstream:
      url: https://localhost:${upstreamPort}/v1
      ca: ${pki.caFile}
  public:
    origins: "*"
    methods: [GET, POST]
    paths: [/pub/]
    upstream:
      url: https://localhost:${upstreamPort}/v1/
`,
  );
  return file;
}

let pki: TestPki;
let upstream: HttpsUpstream;
let file = '';
const started: ServeProcess[] = [];
const serve = async (args: string[], options?: Parameters<typeof startServe>[1]) => {
  const s = await startServe(args, options);
  started.push(s);
  return s;
};

beforeAll(async () => {
  pki = makeTestPki();
  upstream = await startHttpsUpstream(pki);
  file = policyFile(pki, upstream.port);
});

afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
  await upstream?.close();
  if (pki) removeDir(pki.dir);
});

const seenFor = (marker: string) => upstream.seen.filter((s) => s.url.includes(marker));

describe('serve: forwarding to an HTTPS upstream (docs/contract.md §6)', () => {
  let api: ServeProcess;
  let pub: ServeProcess;
  beforeAll(async () => {
    api = await serve([file, '--policy', 'api', '--listen', '127.0.0.1:0']);
    // `public` names no ca: --ca supplies the test CA in its place.
    pub = await serve([file, '--policy', 'public', '--listen', '127.0.0.1:0', '--ca', pki.caFile]);
  });

  it('maps the normalized path under the prefix onto the upstream URL’s path, query kept', async () => {
    const cases: [string, string][] = [
      ['/api/weather/today?units=si&x=%2F', '/v1/weather/today?units=si&x=%2F'],
      ['/api/a/../b/./c?m=1', '/v1/b/c?m=1'],
      ['//api///double//slash?m=2', '/v1/double/slash?m=2'],
      ['/api/sp%20ace/%7Euser?m=3', '/v1/sp%20ace/~user?m=3'],
      ['/pub/../api/from-public?m=4', '/v1/from-public?m=4'],
      ['/api/?m=5', '/v1/?m=5'],
    ];
    for (const [sent, expected] of cases) {
      const res = await get(api.url, sent, { origin: APP });
      expect(res.status, sent).toBe(200);
      expect(JSON.parse(res.body).url, sent).toBe(expected);
    }
  });

  it('never lets an encoded slash or dot-segment out of the base path', async () => {
    const before = upstream.seen.length;
    expect((await get(api.url, '/api/a%2Fb')).status).toBe(400);
    expect((await get(api.url, '/api/a%2fb/../../x')).status).toBe(400);
    expect((await get(api.url, '/api/../../v1/x')).status).toBe(400); // climbs above the root
    expect((await get(api.url, '/api/%2e%2e/secret')).status).toBe(404); // normalized to /secret: not governed
    expect((await get(api.url, '/api/%2e%2e/api/ok')).status).toBe(200); // normalized to /api/ok
    expect(upstream.seen.slice(before).map((s) => s.url)).toEqual(['/v1/ok']);
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding onto the proxy)', async () => {
    const rebound = ['attacker.test', 'attacker.test:8080', '127.0.0.1.attacker.test', '[::2]:80'];
    for (const host of rebound) {
      const res = await get(api.url, '/api/rebound', { origin: APP, host });
      expect(res.status, host).toBe(421);
      expect(corsNames(res)).toEqual([]);
    }
    for (const host of ['localhost:1', 'LOCALHOST', '127.0.0.1', '127.9.9.9:80', '[::1]:8080']) {
      expect((await get(api.url, '/api/loopback-host', { origin: APP, host })).status, host).toBe(200);
      // serve remembers the last Host it accepted: a different one right after is still checked.
      expect((await get(api.url, '/api/rebound', { origin: APP, host: rebound[0]! })).status, `${rebound[0]} after ${host}`).toBe(421);
    }
    expect(seenFor('rebound')).toEqual([]);
  });

  it('sends Host and SNI of the upstream, and verifies its certificate against the policy’s ca', async () => {
    await get(api.url, '/api/host-check', { origin: APP, host: 'localhost:9' });
    const [seen] = seenFor('host-check');
    expect(seen!.headers.host).toBe(`localhost:${upstream.port}`);
    expect(seen!.servername).toBe('localhost');
  });

  it('forwards Cookie and Authorization only with credentials: true', async () => {
    const secret = { origin: APP, cookie: 'sid=1', authorization: 'Bearer t' };
    await get(api.url, '/api/creds-on', secret);
    await get(pub.url, '/pub/creds-off', secret);
    const [on] = seenFor('creds-on');
    const [off] = seenFor('creds-off');
    expect([on!.headers.cookie, on!.headers.authorization]).toEqual(['sid=1', 'Bearer t']);
    expect([off!.headers.cookie, off!.headers.authorization]).toEqual([undefined, undefined]);
    expect(off!.headers.origin).toBe(APP); // other headers pass
  });

  it('replaces the upstream’s Access-Control-* headers and merges Vary', async () => {
    const res = await get(api.url, '/api/cors', { origin: APP });
    expect(corsNames(res).sort()).toEqual(['access-control-allow-credentials', 'access-control-allow-origin', 'access-control-expose-headers']);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    expect(values(res, 'access-control-expose-headers')).toEqual(['X-Request-Id']);
    expect(values(res, 'vary')).toEqual(['Accept-Encoding, Origin']);
    const refused = await get(api.url, '/api/cors', { origin: 'https://evil.test' });
    expect(corsNames(refused)).toEqual([]);
    expect(refused.status).toBe(200);
  });

  it('answers preflights itself and never forwards them', async () => {
    const ok = await get(api.url, '/api/pre', { origin: APP, 'access-control-request-method': 'PUT' }, 'OPTIONS');
    const no = await get(api.url, '/api/pre', { origin: 'https://evil.test', 'access-control-request-method': 'PUT' }, 'OPTIONS');
    expect(ok.status).toBe(204);
    expect(values(ok, 'access-control-allow-methods')).toEqual(['GET, POST, PUT']);
    expect(values(ok, 'access-control-max-age')).toEqual(['600']);
    expect(values(ok, 'content-length')).toEqual([]);
    expect(no.status).toBe(403);
    expect(corsNames(no)).toEqual([]);
    expect(seenFor('/pre')).toEqual([]);
  });

  it('answers 404 itself, without CORS headers, outside the policy’s paths', async () => {
    const res = await get(api.url, '/other/x', { origin: APP });
    const preflight = await get(api.url, '/apix', { origin: APP, 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect([res.status, preflight.status]).toEqual([404, 404]);
    expect([...corsNames(res), ...corsNames(preflight)]).toEqual([]);
    expect([...seenFor('/other/'), ...seenFor('apix')]).toEqual([]);
  });

  it('rewrites redirects into the upstream URL onto the proxy and follows none', async () => {
    const inside = await get(api.url, '/api/redirect-in', { origin: APP });
    const relative = await get(api.url, '/api/redirect-relative', { origin: APP });
    const outside = await get(api.url, '/api/redirect-out', { origin: APP });
    expect([inside.status, relative.status, outside.status]).toEqual([302, 301, 302]);
    expect(values(inside, 'location')).toEqual(['/api/landing/page?x=1']);
    expect(values(relative, 'location')).toEqual(['/api/landing/other']);
    expect(values(outside, 'location')).toEqual(['https://elsewhere.example/v1/x']);
    expect(values(inside, 'access-control-allow-origin')).toEqual([APP]);
    expect(seenFor('landing')).toEqual([]);
  });

  it('drops the Domain of the upstream’s cookies and maps their Path onto the proxy', async () => {
    const res = await get(api.url, '/api/cookie', { origin: APP });
    expect(values(res, 'set-cookie')).toEqual(['sid=abc; Path=/api/account; Secure; HttpOnly', 'theme=dark; Path=/elsewhere']);
  });

  it('streams bodies both ways unchanged', async () => {
    const body = Buffer.alloc(BIG_BODY_BYTES, 'u');
    const up = await get(api.url, '/api/upload', { origin: APP, 'content-type': 'application/octet-stream' }, 'POST', body);
    expect(JSON.parse(up.body).bodyBytes).toBe(BIG_BODY_BYTES);
    const down = await get(api.url, '/api/big', { origin: APP });
    expect([down.body.length, down.truncated]).toEqual([BIG_BODY_BYTES, false]);
  });

  it('keeps a chunked body framed, even on a GET: the upstream never reads body bytes as a request', async () => {
    const s = await rawConnect(api.port);
    const smuggled = 'GET /v1/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    s.write(`GET /api/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`);
    let answer = '';
    s.setEncoding('utf8').on('data', (d: string) => (answer += d));
    await new Promise((r) => s.on('close', r));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(seenFor('chunked').map((r) => r.bodyBytes)).toEqual([smuggled.length]);
    expect(seenFor('smuggled')).toEqual([]);
  });

  it('prints one line per request (method, path, origin, verdict), with what the client chose escaped', async () => {
    const s = await rawConnect(api.port);
    // An Origin with a C1 control (CSI) and a Unicode bidi override (as UTF-8 bytes), and a target
    // with an escape sequence left percent-encoded.
    s.write(Buffer.concat([Buffer.from('GET /api/log%1b[31m HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nOrigin: https://a'), Buffer.from([0x9b, 0x33, 0x31, 0x6d]), Buffer.from('\u202e.test\r\n\r\n', 'utf8')]));
    s.resume();
    await new Promise((r) => s.on('close', r));
    const line = await api.waitForRequestLine((l) => l.startsWith('GET /api/log'));
    const all = api.requestLines();
    expect(line).toMatch(/^GET \/api\/log%1b\[31m origin=https:\/\/a\\x9b31m\S*\.test actual-refused 200$/);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(api.stdout().split('\n')[0]).toMatch(/^cors-gen serve: policy api listening on http:\/\/127\.0\.0\.1:[0-9]+\/ -> https:\/\/localhost:[0-9]+\/v1$/);
    expect(all).toContain('OPTIONS /api/pre origin=https://app.example.com preflight-allowed 204');
    expect(all).toContain('OPTIONS /api/pre origin=https://evil.test preflight-refused 403');
    expect(all).toContain('GET /other/x origin=https://app.example.com not-governed 404');
  });
});

describe('serve: an upstream whose certificate does not verify (docs/contract.md §6)', () => {
  it('answers 502 with the CORS headers of an allowed actual request, and keeps running', async () => {
    const s = await serve([file, '--policy', 'api', '--listen', '127.0.0.1:0', '--ca', pki.otherCaFile]);
    const before = upstream.seen.length;
    const res = await get(s.url, '/api/untrusted', { origin: APP });
    expect(res.status).toBe(502);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    expect(values(res, 'access-control-allow-credentials')).toEqual(['true']);
    expect(values(res, 'vary')).toEqual(['Origin']);
    const refused = await get(s.url, '/api/untrusted', { origin: 'https://evil.test' });
    expect([refused.status, corsNames(refused)]).toEqual([502, []]);
    expect(upstream.seen.length).toBe(before);
    // The system store does not hold the test CA either (no ca anywhere → 502 too).
    const pub = await serve([file, '--policy', 'public', '--listen', '127.0.0.1:0']);
    const pubRes = await get(pub.url, '/pub/x', { origin: APP });
    expect([pubRes.status, values(pubRes, 'access-control-allow-origin')]).toEqual([502, ['*']]);
    expect(upstream.seen.length).toBe(before);
  });
});

describe('serve: listening', () => {
  it('listens on 127.0.0.1:8080 when --listen is not given (seen from inside a fresh network namespace)', async () => {
    // A network namespace of its own: port 8080 is free there whatever else runs on this machine.
    const s = await serve([file, '--policy', 'api'], { cmd: ['unshare', '-n', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath] });
    expect(s.url).toBe('http://127.0.0.1:8080');
    const ss = spawnSync('nsenter', ['-t', String(s.pid), '-n', 'ss', '-Hltn'], { encoding: 'utf8' });
    expect(ss.stdout.trim().split('\n').map((l) => l.split(/\s+/)[3])).toEqual(['127.0.0.1:8080']);
    const probe = spawnSync(
      'nsenter',
      ['-t', String(s.pid), '-n', process.execPath, '-e', `require('http').request({host:'127.0.0.1',port:8080,method:'OPTIONS',path:'/api/x',headers:{origin:'${APP}','access-control-request-method':'GET'}},r=>console.log(r.statusCode)).end()`],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(probe.stdout.trim()).toBe('204');
  });

  it('refuses bad usage with one line and exit 2, and never starts without an upstream', async () => {
    const run = (args: string[]) => spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cors-gen.js'), 'serve', ...args], { encoding: 'utf8', timeout: 15_000 });
    const noUpstream = join(pki.dir, 'no-upstream.yaml');
    writeFileSync(noUpstream, `version: 1\npolicies:\n  a:\n    origins: [${APP}]\n`);
    for (const [args, message] of [
      [[noUpstream, '--listen', '127.0.0.1:0'], /has no upstream; name one with --upstream/],
      [[file, '--listen', '127.0.0.1:0'], /several policies; choose one with --policy/],
      [[file, '--policy', 'api', '--listen', 'nowhere'], /--listen "nowhere" is not <host>:<port>/],
      [[noUpstream, '--upstream', 'ftp://x/'], /is not http or https/],
      [[noUpstream, '--upstream', 'https://u:p@x/'], /user name or password/],
      [[noUpstream, '--upstream', 'https://x/?q=1'], /query or fragment/],
      [[file, '--policy', 'api', '--ca', '/nonexistent/ca.pem'], /CA file "\/nonexistent\/ca.pem" cannot be read \(ENOENT\)/],
      [[file, '--policy', 'api', '--ca', file], /holds no PEM certificate/],
    ] as [string[], RegExp][]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('prints a line and exits 2 when the address is taken', async () => {
    const first = await serve([file, '--policy', 'api', '--listen', '127.0.0.1:0']);
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cors-gen.js'), 'serve', file, '--policy', 'api', '--listen', `127.0.0.1:${first.port}`], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cors-gen: cannot listen on 127.0.0.1:${first.port} (EADDRINUSE)\n`);
  });
});

describe('serve: shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const s = await serve([file, '--policy', 'api', '--listen', '127.0.0.1:0']);
    const inFlight = get(s.url, '/api/hold', { origin: APP });
    while (upstream.held() === 0) await new Promise((r) => setTimeout(r, 20));
    process.kill(s.pid, 'SIGTERM');
    while (!s.stdout().includes('shutting down')) await new Promise((r) => setTimeout(r, 20));
    expect(await portRefuses(s.port)).toBe(true);
    upstream.release();
    const res = await inFlight;
    expect([res.status, res.body, res.truncated]).toEqual([200, 'started\nfinished\n', false]);
    expect(values(res, 'access-control-allow-origin')).toEqual([APP]);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it('on SIGINT with nothing in flight exits 0 at once', async () => {
    const s = await serve([file, '--policy', 'api', '--listen', '127.0.0.1:0']);
    await get(s.url, '/api/x', { origin: APP });
    expect(await s.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});
