// Proxy mode (docs/contract.md §6) in the real Apache httpd: the generated files are the whole proxy, in front
// of a loopback HTTPS API with its own CA (test/serve/https-upstream.ts). Every answer is judged with
// the reference evaluator (the CORS headers of §2) and by what the upstream itself saw; the same
// requests sent to `cors-gen serve` must reach the upstream the same way (a differential check).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/compile.js';
import { evaluate } from '../../src/model/evaluate.js';
import type { Policy, PolicySet } from '../../src/model/types.js';
import { compilePolicy } from '../harness/policy.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type RunningServer } from '../harness/process.js';
import { UPSTREAM_CORS_HEADERS } from '../harness/upstream.js';
import { get, values, type Answer } from '../serve/client.js';
import { BIG_BODY_BYTES, startHttpsUpstream, type HttpsUpstream, type SeenByUpstream } from '../serve/https-upstream.js';
import { startServe, type ServeProcess } from '../serve/serve-process.js';
import { makeTestPki, type TestPki } from '../serve/test-ca.js';
import { MODULE_DIR } from './apache.driver.js';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example';
const MODULES = ['mpm_event', 'authz_core', 'mime', 'headers', 'rewrite', 'setenvif', 'proxy', 'proxy_http', 'ssl'];
const LOCAL_BODY = 'a file Apache serves itself\n';

/** One vhost = one policy file, its policies included together (docs/contract.md §4, proxy mode). */
interface Site {
  name: string;
  yaml: string;
  set?: PolicySet;
  port?: number;
}

function policyFile(upstream: string, ca: string, policies: string): string {
  return `version: 1\npolicies:\n${policies.replaceAll('UPSTREAM', upstream).replaceAll('CA', ca)}`;
}

function sites(pki: TestPki, up: number, closed: number, statuses: number): Site[] {
  const api = `  api:
    origins: [${APP}]
    methods: [GET, POST, PUT]
    allowHeaders: [Content-Type]
    exposeHeaders: [X-Request-Id]
    paths: [/api/]
    upstream: {url: "UPSTREAM", ca: CA}
`;
  const whole = `  whole:\n    origins: [${APP}]\n    upstream: {url: "UPSTREAM", ca: CA}\n`;
  return [
    {
      // Two proxy policies on nested prefixes plus one without upstream, all in one vhost.
      name: 'main',
      yaml: policyFile(`https://localhost:${up}/v1`, pki.caFile, `${api}  account:
    origins: [${APP}]
    credentials: true
    paths: [/api/account/]
    upstream: {url: "https://localhost:${up}/v1/account/", ca: ${pki.caFile}}
  local:
    origins: [${APP}]
    paths: [/api/local/]
`),
    },
    // The whole site (no paths), the system store replaced by the test CA.
    { name: 'whole', yaml: policyFile(`https://localhost:${up}/`, pki.caFile, whole) },
    // An IP address: mod_ssl (2.4.71) matches the peer name against DNS names only, never an IP
    // subjectAltName, so the certificate does not verify and the answer is 502 (README).
    { name: 'ip', yaml: policyFile(`https://127.0.0.1:${up}/`, pki.caFile, whole) },
    { name: 'untrusted', yaml: policyFile(`https://localhost:${up}/v1/`, pki.otherCaFile, api) },
    { name: 'down', yaml: policyFile(`https://localhost:${closed}/v1/`, pki.caFile, api) },
    { name: 'statuses', yaml: policyFile(`https://localhost:${statuses}/v1/`, pki.caFile, api) },
  ];
}

function vhost(site: Site, corsDir: string, root: string): string {
  const lines = [`<VirtualHost 127.0.0.1:${site.port}>`, '    ServerName 127.0.0.1'];
  for (const p of site.set!.policies) lines.push(`    Include "${join(corsDir, `${p.name}.conf`)}"`);
  // What no policy forwards is the site's own: files Apache serves itself.
  lines.push(`    DocumentRoot "${root}/htdocs"`, `    <Directory "${root}/htdocs">`, '        Require all granted', '    </Directory>', '</VirtualHost>');
  return lines.join('\n');
}

function writeConfig(dir: string, all: Site[]): string {
  const root = join(dir, 'apache');
  for (const sub of ['run', 'logs', 'htdocs/api/local']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'htdocs/api/local/file.txt'), LOCAL_BODY);
  writeFileSync(join(root, 'htdocs/file.txt'), LOCAL_BODY);
  const includes: string[] = [];
  for (const s of all) {
    const corsDir = join(dir, `cors-${s.name}`);
    mkdirSync(corsDir);
    for (const f of generate(s.set!, 'apache')) writeFileSync(join(corsDir, f.path), f.contents);
    includes.push(vhost(s, corsDir, root));
  }
  const conf = [
    `ServerRoot "${root}"`,
    `PidFile "${root}/run/httpd.pid"`,
    `DefaultRuntimeDir "${root}/run"`,
    `ErrorLog "${root}/logs/error.log"`,
    'LogLevel warn',
    'ServerName 127.0.0.1',
    ...MODULES.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    'ServerLimit 1',
    'StartServers 1',
    'ThreadsPerChild 32',
    'MaxRequestWorkers 32',
    'Timeout 30',
    ...all.map((s) => `Listen 127.0.0.1:${s.port}`),
    ...includes,
    '',
  ].join('\n');
  const path = join(root, 'httpd.conf');
  writeFileSync(path, conf);
  return path;
}

const policyOf = (site: Site, name: string): Policy => site.set!.policies.find((p) => p.name === name)!;

/** The Access-Control-* headers of an answer, each name once with all its values. */
function corsHeaders(a: Answer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < a.rawHeaders.length; i += 2) {
    const name = a.rawHeaders[i]!;
    if (!name.toLowerCase().startsWith('access-control-')) continue;
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}|${a.rawHeaders[i + 1]}` : a.rawHeaders[i + 1]!;
  }
  return out;
}

/** §2 as the evaluator says for this request, headers lower-cased. */
function expectedCors(policy: Policy, method: string, headers: Record<string, string>): Record<string, string> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const e = evaluate(policy, { method, headers: lower });
  return Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v!]));
}

const varyOrigin = (a: Answer) => values(a, 'vary').some((v) => v.split(',').some((t) => t.trim().toLowerCase() === 'origin'));

describe('apache proxy mode (docs/contract.md §6) in front of a loopback HTTPS API', () => {
  let pki: TestPki;
  let upstream: HttpsUpstream;
  let server: RunningServer | undefined;
  let statusUpstream: Server | undefined;
  let all: Site[] = [];
  const dirs: string[] = [];
  const serves = new Map<string, ServeProcess>();
  let n = 0;
  let cases = 0;

  const site = (name: string) => all.find((s) => s.name === name)!;
  const url = (name: string) => `http://127.0.0.1:${site(name).port}`;

  /** Sends one request; returns the answer and what the upstream saw of it (undefined: not forwarded). */
  async function send(to: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<{ a: Answer; seen?: SeenByUpstream }> {
    const id = `t${n++}`;
    const a = await get(to, path, { ...headers, 'X-Test-Id': id }, method, body);
    cases++;
    return { a, seen: upstream.seen.find((s) => s.headers['x-test-id'] === id) };
  }

  /** The answer's CORS headers and Vary are exactly what the evaluator says for the policy. */
  function judged(a: Answer, policy: Policy, method: string, headers: Record<string, string>): void {
    expect(corsHeaders(a)).toEqual(expectedCors(policy, method, headers));
    expect(varyOrigin(a)).toBe(true);
  }

  beforeAll(async () => {
    pki = makeTestPki();
    dirs.push(pki.dir);
    upstream = await startHttpsUpstream(pki);
    // An upstream that answers /v1/<status> with that status and a body of its own.
    statusUpstream = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      res.writeHead(Number(/([0-9]{3})$/.exec(req.url ?? '')?.[1] ?? 200), { 'Content-Type': 'text/plain' });
      res.end(`upstream says ${/([0-9]{3})$/.exec(req.url ?? '')?.[1]}\n`);
    });
    await new Promise<void>((resolve) => statusUpstream!.listen(0, '127.0.0.1', resolve));
    const [closed, ...ports] = await freePorts(7);
    all = sites(pki, upstream.port, closed!, (statusUpstream.address() as AddressInfo).port).map((s, i) => ({ ...s, set: compilePolicy(s.yaml, `${s.name}.yaml`), port: ports[i]! }));
    const dir = makeTempDir('proxy-apache');
    dirs.push(dir);
    const configPath = writeConfig(dir, all);
    handOver(dir);
    const syntax = runCommand({ cmd: 'apache2', args: ['-t', '-f', configPath] });
    if (syntax.status !== 0) throw new Error(`apache2 -t failed:\n${syntax.output}`);
    server = await startServer({ cmd: 'apache2', args: ['-f', configPath, '-DFOREGROUND'] }, all.map((s) => s.port!));
    // cors-gen serve for the same policies, in front of the same upstream (the differential side).
    for (const [s, policy] of [['main', 'api'], ['main', 'account'], ['whole', 'whole'], ['untrusted', 'api'], ['down', 'api']] as const) {
      const file = join(dir, `${s}.yaml`);
      writeFileSync(file, site(s).yaml);
      serves.set(`${s}/${policy}`, await startServe([file, '--policy', policy, '--listen', '127.0.0.1:0']));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    for (const s of serves.values()) await s.stop();
    await upstream?.close();
    await new Promise((resolve) => (statusUpstream ? statusUpstream.close(resolve) : resolve(undefined)));
    for (const d of dirs) removeDir(d);
    console.log(`apache proxy mode: ${cases} requests checked`);
  });

  describe('path mapping: the normalized path minus the prefix, appended to the base path, the query kept', () => {
    // [request target, what the upstream must see (null: never reaches it)]
    const MAIN: [string, string | null][] = [
      ['/api/today?x=1&y=%2F', '/v1/today?x=1&y=%2F'],
      ['/api/', '/v1/'],
      ['/api/a%20b/c', '/v1/a%20b/c'],
      ['/api/a%3Fb?c=d', '/v1/a%3Fb?c=d'],
      ['/api/a%2541', '/v1/a%2541'],
      ['/api/x/../y', '/v1/y'],
      ['/api/x/%2e%2e/y', '/v1/y'],
      ['/public/../api/q', '/v1/q'],
      ['//api//z', '/v1/z'],
      ['/api/account/me', '/v1/account/me'],
      ['/api/account/../../secret', null],
      ['/api/%2e%2e/secret', null],
      ['/api/a%2Fb', null],
      ['/api/local/file.txt', null],
      ['/api', null],
    ];
    for (const [target, want] of MAIN) {
      it(`${target} → ${want ?? 'not forwarded'}`, async () => {
        const { a, seen } = await send(url('main'), target, { Origin: APP });
        expect(seen?.url ?? null).toBe(want);
        if (want !== null) expect(a.status).toBe(200);
        if (target === '/api/local/file.txt') expect(a.body).toBe(LOCAL_BODY);
      });
    }

    it('cors-gen serve sends the upstream the same path and query for every request it forwards', async () => {
      for (const [target, want] of MAIN) {
        if (want === null) continue;
        const policy = target.includes('account') ? 'account' : 'api';
        const { seen } = await send(serves.get(`main/${policy}`)!.url, target, { Origin: APP });
        expect(seen?.url, target).toBe(want);
      }
    });

    it('without paths the whole site is forwarded: /x → /x', async () => {
      const { seen } = await send(url('whole'), '/x/y?z=1', { Origin: APP });
      expect(seen?.url).toBe('/x/y?z=1');
    });
  });

  it('Host is the upstream host[:port] and SNI its name, whatever Host the browser sent — as serve sends them', async () => {
    const named = await send(url('main'), '/api/host', { Origin: APP, Host: 'proxy.example' });
    expect(named.seen?.headers.host).toBe(`localhost:${upstream.port}`);
    expect(named.seen?.servername).toBe('localhost');
    const whole = await send(url('whole'), '/host', { Origin: APP });
    expect(whole.seen?.headers.host).toBe(`localhost:${upstream.port}`);
    expect(whole.seen?.servername).toBe('localhost');
    for (const [key, path, mine] of [['main/api', '/api/host', named], ['whole/whole', '/host', whole]] as const) {
      const viaServe = await send(serves.get(key)!.url, path, { Origin: APP });
      expect(viaServe.seen?.headers.host).toBe(mine.seen?.headers.host);
      expect(viaServe.seen?.servername || null).toBe(mine.seen?.servername || null);
    }
  });

  describe('the upstream fails: 502 with the CORS headers of an allowed actual request', () => {
    const WHY: Record<string, string> = {
      untrusted: 'a certificate of another CA',
      down: 'nothing listens',
      ip: 'an IP-address upstream (mod_ssl checks DNS names only)',
    };
    for (const name of Object.keys(WHY)) {
      it(`${WHY[name]}: 502, never forwarded`, async () => {
        const policy = site(name).set!.policies[0]!;
        for (const method of ['GET', 'POST']) {
          const headers = { Origin: APP };
          const { a, seen } = await send(url(name), '/api/x', headers, method);
          expect(a.status).toBe(502);
          expect(seen).toBeUndefined();
          expect(a.body).toContain('Bad Gateway');
          judged(a, policy, method, headers);
          expect(corsHeaders(a)['access-control-allow-origin']).toBe(APP);
        }
        // A refused origin and no origin: 502 without CORS headers.
        for (const headers of [{ Origin: OTHER }, {}] as Record<string, string>[]) {
          const { a } = await send(url(name), '/api/x', headers);
          expect(a.status).toBe(502);
          judged(a, policy, 'GET', headers);
        }
        // cors-gen serve answers the same: status and CORS headers (not for the IP upstream, where they
        // differ: serve checks the certificate's IP subjectAltName and forwards, mod_ssl cannot).
        const viaServe = serves.get(`${name}/api`);
        if (name !== 'ip') {
          for (const headers of [{ Origin: APP }, { Origin: OTHER }, {}] as Record<string, string>[]) {
            const [mine, theirs] = [await send(url(name), '/api/x', headers), await send(viaServe!.url, '/api/x', headers)];
            expect([mine.a.status, corsHeaders(mine.a)]).toEqual([theirs.a.status, corsHeaders(theirs.a)]);
          }
        }
      });
    }

    it('the upstream’s own 500 and 503 pass untouched, body included (only mod_proxy’s own failures become 502)', async () => {
      const policy = policyOf(site('statuses'), 'api');
      for (const code of [500, 503, 404]) {
        const headers = { Origin: APP };
        const { a } = await send(url('statuses'), `/api/${code}`, headers);
        expect(a.status).toBe(code);
        expect(a.body).toBe(`upstream says ${code}\n`);
        judged(a, policy, 'GET', headers);
      }
    });
  });

  describe('what the upstream answers, as the browser gets it', () => {
    it('its own CORS headers are replaced by the policy’s', async () => {
      const policy = policyOf(site('main'), 'api');
      for (const headers of [{ Origin: APP }, { Origin: OTHER }, {}] as Record<string, string>[]) {
        const { a, seen } = await send(url('main'), '/api/data', headers);
        expect(seen).toBeDefined();
        judged(a, policy, 'GET', headers);
        for (const [k, v] of Object.entries(UPSTREAM_CORS_HEADERS)) expect(values(a, k).filter((x) => x === v && k !== 'Access-Control-Allow-Origin')).toEqual([]);
      }
    });

    it('a redirect into the upstream URL comes back onto the proxy; others pass unchanged', async () => {
      const proxy = url('main');
      const inside = await send(proxy, '/api/redirect-in', { Origin: APP });
      expect(inside.a.status).toBe(302);
      expect(values(inside.a, 'location')).toEqual([`${proxy}/api/landing/page?x=1`]);
      const relative = await send(proxy, '/api/redirect-relative', { Origin: APP });
      expect(values(relative.a, 'location')).toEqual(['/api/landing/other']);
      const outside = await send(proxy, '/api/redirect-out', { Origin: APP });
      expect(values(outside.a, 'location')).toEqual(['https://elsewhere.example/v1/x']);
      // serve: the same places (it writes a path alone where Apache writes this host's URL).
      const serve = serves.get('main/api')!.url;
      for (const [path, mine] of [['/api/redirect-in', inside], ['/api/redirect-relative', relative], ['/api/redirect-out', outside]] as const) {
        const theirs = await send(serve, path, { Origin: APP });
        const resolve = (loc: string, base: string) => {
          const u = new URL(loc, base);
          return u.origin === new URL(base).origin ? `${u.pathname}${u.search}` : u.href;
        };
        expect(resolve(values(mine.a, 'location')[0]!, proxy)).toBe(resolve(values(theirs.a, 'location')[0]!, serve));
      }
    });

    it('Set-Cookie: Domain emptied (browsers ignore it), Path under the base path mapped onto the prefix — as serve does', async () => {
      const { a } = await send(url('main'), '/api/cookie', { Origin: APP });
      const cookies = values(a, 'set-cookie');
      expect(cookies).toEqual(['sid=abc; Domain=; Path=/api/account; Secure; HttpOnly', 'theme=dark; Path=/elsewhere; Domain=']);
      const viaServe = await send(serves.get('main/api')!.url, '/api/cookie', { Origin: APP });
      const withoutDomain = (c: string) => c.replace(/;\s*domain=[^;]*/i, '');
      expect(cookies.map(withoutDomain)).toEqual(values(viaServe.a, 'set-cookie').map(withoutDomain));
    });

    it('Cookie and Authorization reach the upstream only under a policy with credentials — as through serve', async () => {
      const creds = { Origin: APP, Cookie: 'sid=abc', Authorization: 'Bearer t' };
      const without = await send(url('main'), '/api/who', creds);
      expect([without.seen?.headers.cookie, without.seen?.headers.authorization]).toEqual([undefined, undefined]);
      const withCreds = await send(url('main'), '/api/account/who', creds);
      expect([withCreds.seen?.headers.cookie, withCreds.seen?.headers.authorization]).toEqual(['sid=abc', 'Bearer t']);
      judged(withCreds.a, policyOf(site('main'), 'account'), 'GET', creds);
      for (const [key, path, mine] of [['main/api', '/api/who', without], ['main/account', '/api/account/who', withCreds]] as const) {
        const theirs = await send(serves.get(key)!.url, path, creds);
        expect([theirs.seen?.headers.cookie, theirs.seen?.headers.authorization]).toEqual([mine.seen?.headers.cookie, mine.seen?.headers.authorization]);
      }
    });

    it('preflights are answered by Apache and never reach the upstream', async () => {
      const policy = policyOf(site('main'), 'api');
      for (const headers of [
        { Origin: APP, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
        { Origin: OTHER, 'Access-Control-Request-Method': 'PUT' },
      ] as Record<string, string>[]) {
        for (const target of [url('main'), url('down')]) {
          const { a, seen } = await send(target, '/api/x', headers, 'OPTIONS');
          expect(seen).toBeUndefined();
          expect(a.status).toBe(headers.Origin === APP ? 204 : 403);
          judged(a, policy, 'OPTIONS', headers);
        }
      }
    });

    it('bodies stream through unchanged both ways (1,000,000 bytes)', async () => {
      const down = await send(url('main'), '/api/big', { Origin: APP });
      expect(down.a.status).toBe(200);
      expect(down.a.truncated).toBe(false);
      expect(down.a.body).toBe('b'.repeat(BIG_BODY_BYTES));
      const body = Buffer.alloc(BIG_BODY_BYTES, 'u');
      const up = await send(url('main'), '/api/upload', { Origin: APP, 'Content-Type': 'application/octet-stream' }, 'POST', body);
      expect(up.a.status).toBe(200);
      expect(up.seen?.bodyBytes).toBe(BIG_BODY_BYTES);
      expect(JSON.parse(up.a.body)).toEqual({ url: '/v1/upload', bodyBytes: BIG_BODY_BYTES });
    });
  });
});
