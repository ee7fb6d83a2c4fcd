// Proxy mode (docs/contract.md §6) as the three browser engines see it: each real server runs the
// generated proxy-mode files (policies with `upstream:`, one site, no forwarding of its own) in front
// of a loopback HTTPS API with its own test CA (`ca:`) and wrong CORS headers of its own
// (proxy-upstream.ts). The engines reach the server through a TLS-terminating recording forwarder
// (forwarder.ts: a proxy is reached over https; WebKitGTK needs it anyway), which passes the Host
// header on as sent, so that the proxy's origin is the forwarder's. Each check has a control that
// shows it can fail: the refused origin, the upstream called directly, a redirect the proxy does not
// map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetName as PathTarget } from '../../src/targets/registry.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy } from '../harness/suite.js';
import { makeTestPki, type TestPki } from '../serve/test-ca.js';
import type { FetchInit, FetchOutcome } from './browser.js';
import { AUTH_CHALLENGE_PATH, ENGINES, type Engine, type EngineName, type EnginePage } from './engine.js';
import { ENGINE_FACTS } from './engine-facts.js';
import { borrowEngine, useSharedEngines } from './engine-pool.js';
import { startForwarder, type Forwarder } from './forwarder.js';
import { APP_HOST, EVIL_HOST, makeCertificate, startPageServer, type PageServer } from './page-server.js';
import { COOKIE_VALUE, startProxyUpstream, upstreamBody, UPSTREAM_BASE, type ProxyUpstream } from './proxy-upstream.js';
import { PROXY_SERVERS } from './proxy-servers.js';

const CUSTOM_HEADER = 'X-Custom';

export function proxyPolicies(appOrigin: string, upstreamPort: number, downPort: number, caFile: string): string {
  const upstream = (port: number) => `    upstream: {url: "https://localhost:${port}${UPSTREAM_BASE}", ca: "${caFile}"}\n`;
  return `version: 1
policies:
  api:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: [${CUSTOM_HEADER}]
    credentials: true
    paths: [/api/]
${upstream(upstreamPort)}  down:
    origins: [${appOrigin}]
    credentials: true
    paths: [/down/]
${upstream(downPort)}`;
}

interface Stage {
  dir: string;
  pki: TestPki;
  pages: PageServer;
  upstream: ProxyUpstream;
  port: number;
  tls: { key: Buffer; cert: Buffer };
}

export function proxyBrowserSuite(target: PathTarget, engines: readonly EngineName[] = ENGINES): void {
  useSharedEngines();
  describe(`${target} proxy mode: the generated proxy in front of an HTTPS API with its own CA`, () => {
    let stage: Stage | undefined;
    let serverDir = '';
    let server: RunningServer | undefined;

    beforeAll(async () => {
      const dir = makeTempDir(`${target}-proxy-browser`);
      const pki = makeTestPki();
      const pages = await startPageServer(dir);
      const upstream = await startProxyUpstream(pki);
      const [port, down] = await freePorts(2);
      const set = compilePolicy(proxyPolicies(pages.origin(APP_HOST), upstream.port, down!, pki.caFile), 'proxy-browser.yaml');
      const s = PROXY_SERVERS[target];
      const prepared = prepareServerDir(target, set, `${target}-proxy-browser`, (d, corsDir) =>
        s.writeConfig({ dir: d, corsDir, port: port!, policies: set.policies.map((p) => p.name) }),
      );
      serverDir = prepared.dir;
      stage = { dir, pki, pages, upstream, port: port!, tls: makeCertificate(dir) };
      server = await checkAndStart(s.driver, prepared, [port!]);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await stage?.upstream.close();
      await stage?.pages.close();
      if (stage) removeDir(stage.dir);
      if (stage) removeDir(stage.pki.dir);
      if (serverDir) removeDir(serverDir);
    });

    for (const name of engines) engineChecks(target, name, () => stage!);
  });
}

function engineChecks(target: PathTarget, name: EngineName, getStage: () => Stage): void {
  const facts = ENGINE_FACTS[name];
  describe(facts.label, () => {
    let s: Stage;
    let engine: Engine | undefined;
    let app: EnginePage;
    let evil: EnginePage;
    let forwarder: Forwarder | undefined;
    let base = '';
    let direct = '';
    let passed = 0;
    const sid = `sid=${name}-${Math.random().toString(36).slice(2)}`;

    /** A path under /api/ (or another prefix) of this engine, and where the proxy maps it upstream. */
    const at = (label: string, prefix = '/api/') => `${prefix}${label}-${name}`;
    const up = (label: string) => `${UPSTREAM_BASE}${label}-${name}`;
    const url = (path: string) => `${base}${path}`;
    const cred: FetchInit = { credentials: 'include' };

    const readable = (o: FetchOutcome | undefined, status: number, method: string, upstreamPath: string, what: string) =>
      expect(o, what).toMatchObject({ kind: 'response', status, body: upstreamBody(status, method, upstreamPath) });
    const refused = (o: FetchOutcome | undefined, what: string) => {
      expect(o?.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o?.kind === 'error' ? o.error : '', what).toMatch(facts.corsError);
    };
    /** What the engine sent through the forwarder for `path`. */
    const sent = (path: string, method?: string) => forwarder!.sent.filter((r) => r.path === path && (method === undefined || r.method === method));

    beforeAll(async () => {
      s = getStage();
      forwarder = await startForwarder(s.port, s.tls, { host: 'as-sent' });
      base = `https://127.0.0.1:${forwarder.port}`;
      direct = `https://127.0.0.1:${s.upstream.port}`;
      engine = await borrowEngine(name, `${direct}${up('cookie-visit')}`);
      await engine.setCookie({ name: sid.split('=')[0]!, value: sid.split('=')[1]! }, `${direct}${up('cookie-visit')}`);
      app = await engine.open(s.pages.origin(APP_HOST));
      evil = await engine.open(s.pages.origin(EVIL_HOST));
    }, 60_000);

    afterAll(async () => {
      await forwarder?.close();
      // The README's "verified in" table quotes this line.
      console.log(`browser proxy: ${engine?.version ?? `${facts.label} (not started)`}, ${target}: ${passed} checks passed`);
    });

    it('(a) the allowed origin reads the upstream’s answer; the refused origin is blocked, though the upstream’s own Access-Control-Allow-Origin: * would let it read', async () => {
      const out = await app.run([{ url: url(at('a')) }, { url: url(at('a-cred')), init: cred }]);
      readable(out[0], 200, 'GET', up('a'), 'app: GET through the proxy');
      expect(s.upstream.to(up('a'))[0], 'Host is the upstream’s; no cookie without credentials: include').toMatchObject({ host: `localhost:${s.upstream.port}`, cookie: undefined });
      passed++;
      readable(out[1], 200, 'GET', up('a-cred'), 'app: credentialed GET through the proxy');
      expect(s.upstream.to(up('a-cred'))[0]?.cookie ?? '', 'the cookie reaches the upstream (credentials: true)').toContain(sid);
      passed++;
      const put: FetchInit = { method: 'PUT', headers: { [CUSTOM_HEADER]: 'a' } };
      const bad = await evil.run([
        // Control: straight from the upstream, its own "*" lets the refused origin read.
        { url: `${direct}${up('a-direct')}` },
        { url: url(at('a-evil')) },
        { url: url(at('a-evil-cred')), init: cred },
        { url: url(at('a-evil-put')), init: put },
      ]);
      readable(bad[0], 200, 'GET', up('a-direct'), 'control: the refused origin reads the upstream directly');
      refused(bad[1], 'evil: GET through the proxy');
      refused(bad[2], 'evil: credentialed GET through the proxy');
      // The simple requests were forwarded (docs/contract.md §2); only the browser withholds the answer.
      expect(s.upstream.to(up('a-evil')).length).toBe(1);
      passed++;
      refused(bad[3], 'evil: preflighted PUT through the proxy');
      expect(sent(at('a-evil-put'), 'OPTIONS').map((r) => r.headers.origin), 'the engine sent the preflight').toEqual([evil.origin]);
      expect(s.upstream.to(up('a-evil-put')), 'neither the preflight nor the PUT reached the upstream').toEqual([]);
      passed++;
    });

    it('(b) a preflighted credentialed PUT with a custom header goes through; the proxy answers the preflight (the upstream’s own answer refuses it)', async () => {
      const put = (label: string): FetchInit => ({ method: 'PUT', headers: { [CUSTOM_HEADER]: label }, credentials: 'include' });
      const out = await app.run([
        { url: url(at('b')), init: put('b') },
        // Control: the upstream's own preflight answer allows X-Upstream-Header only.
        { url: `${direct}${up('b-direct')}`, init: { method: 'PUT', headers: { [CUSTOM_HEADER]: 'b' } } },
      ]);
      readable(out[0], 200, 'PUT', up('b'), 'app: preflighted PUT through the proxy');
      const pre = sent(at('b'), 'OPTIONS');
      expect(pre.length, 'one preflight sent').toBe(1);
      expect(pre[0]!.headers).toMatchObject({ origin: app.origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-custom' });
      expect(pre[0]!.headers.cookie, 'a preflight never carries cookies').toBeUndefined();
      const seen = s.upstream.to(up('b'));
      expect(seen.map((r) => r.method), 'the preflight never reached the upstream; the PUT did').toEqual(['PUT']);
      expect(seen[0]!.headers['x-custom']).toBe('b');
      expect(seen[0]!.cookie ?? '').toContain(sid);
      passed++;
      refused(out[1], 'control: the PUT straight to the upstream');
      expect(s.upstream.to(up('b-direct')).map((r) => r.method), 'control: the upstream answered the preflight, and no PUT followed').toEqual(['OPTIONS']);
    });

    it('(c) the upstream’s Set-Cookie (Domain=localhost, Path=/v1/) comes back without Domain and with the proxy’s path: the next credentialed call carries it', async () => {
      const [viaProxy, viaUpstream] = [`c-${name}`, `cd-${name}`];
      const out = await app.run([
        // Control: the cookie as the upstream sends it, with no CORS check in the way (no-cors):
        // a browser on 127.0.0.1 does not keep a cookie for Domain=localhost.
        { url: `${direct}${UPSTREAM_BASE}set-cookie/${viaUpstream}`, init: { mode: 'no-cors', credentials: 'include' } },
        { url: `${direct}${up('c-direct-after')}`, init: { mode: 'no-cors', credentials: 'include' } },
        { url: `${base}/api/set-cookie/${viaProxy}`, init: cred },
        { url: url(at('c-after')), init: cred },
        { url: url(at('c-omit')), init: { credentials: 'omit' } },
      ]);
      expect(out[0], 'control: the no-cors call to the upstream').toMatchObject({ kind: 'response', status: 0 });
      expect(s.upstream.to(up('c-direct-after'))[0]?.cookie ?? '', 'control: the upstream’s own cookie was not kept').not.toContain(viaUpstream);
      expect(s.upstream.to(up('c-direct-after'))[0]?.cookie ?? '', 'control: the call did carry the cookies it had').toContain(sid);
      readable(out[2], 200, 'GET', `${UPSTREAM_BASE}set-cookie/${viaProxy}`, 'app: credentialed GET that sets a cookie');
      expect(s.upstream.to(`${UPSTREAM_BASE}set-cookie/${viaProxy}`)[0]?.cookie ?? '', 'not there before it was set').not.toContain(viaProxy);
      readable(out[3], 200, 'GET', up('c-after'), 'app: the next credentialed GET');
      expect(s.upstream.to(up('c-after'))[0]?.cookie ?? '', 'the upstream’s cookie comes back through the proxy').toContain(`${viaProxy}=${COOKIE_VALUE}`);
      passed++;
      readable(out[4], 200, 'GET', up('c-omit'), 'app: GET with credentials: omit');
      expect(s.upstream.to(up('c-omit'))[0]?.cookie, 'no cookie without credentials').toBeUndefined();
      passed++;
    });

    it('(d) a redirect from the upstream into its own URL comes back onto the proxy: the engine follows it there and reads the body', async () => {
      const inside = `/api/redirect-in/d-${name}`;
      const landing = `/api/landing/d-${name}`;
      const out = await app.run([
        { url: url(inside), init: cred },
        // Control: a Location outside the upstream passes as it is, and the engine follows it there
        // (off the loopback: a network error), so a Location left pointing at the upstream would not reach the proxy.
        { url: url(`/api/redirect-out/d-${name}`), init: cred },
      ]);
      readable(out[0], 200, 'GET', `${UPSTREAM_BASE}landing/d-${name}`, 'app: credentialed GET redirected by the upstream');
      expect(out[0]?.kind === 'response' && out[0].url, 'the final URL is on the proxy').toBe(`${base}${landing}?x=1`);
      const followed = sent(landing, 'GET');
      expect(followed.length, 'the engine sent the redirected GET to the proxy').toBe(1);
      // Same origin as the first request: the Origin stays the page's (not "null") and credentials stay.
      expect(followed[0]!.headers.origin).toBe(app.origin);
      expect(s.upstream.to(`${UPSTREAM_BASE}landing/d-${name}`)[0]?.cookie ?? '').toContain(sid);
      passed++;
      refused(out[1], 'control: a redirect out of the upstream');
      expect(s.upstream.to(`${UPSTREAM_BASE}redirect-out/d-${name}`).length, 'control: the proxy forwarded it').toBe(1);
    });

    it('(e) with the upstream down, the page reads the proxy’s 502 (the CORS headers are on it); the refused origin cannot', async () => {
      const [o] = await app.run([{ url: url(at('e', '/down/')), init: cred }]);
      expect(o, 'app: credentialed GET, upstream down').toMatchObject({ kind: 'response', status: 502 });
      passed++;
      const [bad] = await evil.run([{ url: url(at('e-evil', '/down/')) }]);
      refused(bad, 'control: the refused origin, upstream down');
    });

    const prompt = facts.authPromptOnCors401;
    it(`(f) a credentialed call answered 401 + WWW-Authenticate: Basic: the page reads the 401; ${facts.label} ${prompt.prompts ? 'asks for a password (cancelled by the test), against' : 'does not ask for a password, as'} the Fetch standard says (${prompt.source})`, async () => {
      const path = `/api${AUTH_CHALLENGE_PATH}f-${name}`;
      const before = engine!.authChallenges();
      const [o] = await app.run([{ url: url(path), init: cred }]);
      readable(o, 401, 'GET', `${UPSTREAM_BASE}auth-challenge/f-${name}`, 'app: credentialed GET answered 401');
      expect(engine!.authChallenges() - before, `${facts.label}: password prompts`).toBe(prompt.prompts ? 1 : 0);
      const seen = s.upstream.to(`${UPSTREAM_BASE}auth-challenge/f-${name}`);
      expect(seen.length, 'one request, not retried with a password').toBe(1);
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(seen[0]!.cookie ?? '', 'the cookie went with it (credentials: true)').toContain(sid);
      passed++;
      // Control: the same 401 from the refused origin is a network error.
      const [bad] = await evil.run([{ url: url(`/api${AUTH_CHALLENGE_PATH}f-evil-${name}`), init: cred }]);
      refused(bad, 'control: the refused origin, 401');
    });

    it('the forwarder could read every request the engine sent', () => {
      expect(forwarder!.unparsed).toEqual([]);
    });
  });
}
