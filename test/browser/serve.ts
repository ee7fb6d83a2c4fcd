// cors-gen serve judged by the three browser engines (docs/contract.md §3b): serve (child processes,
// one per policy) in front of the browser suite's upstream (upstream.ts, which sends its own
// Access-Control-* headers), called from real https origins through a recording forwarder (TLS for
// WebKitGTK, which blocks http://127.0.0.1 from https pages: engine-facts.ts). serve decides with
// the reference evaluator; these verdicts are the engines' own. Each check has a control that shows
// it can fail: the refused origin, the upstream called directly, the policy without credentials.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir } from '../harness/process.js';
import { startServe, type ServeProcess } from '../serve/serve-process.js';
import type { FetchInit, FetchOutcome } from './browser.js';
import { AUTH_CHALLENGE_PATH, ENGINES, type Engine, type EngineName, type EnginePage } from './engine.js';
import { ENGINE_FACTS } from './engine-facts.js';
import { borrowEngine, useSharedEngines } from './engine-pool.js';
import { endpointFor, type Forwarder } from './forwarder.js';
import { APP_HOST, EVIL_HOST, makeCertificate, startPageServer, type PageServer } from './page-server.js';
import {
  EXPOSED_HEADER,
  EXPOSED_VALUE,
  HIDDEN_HEADER,
  LATE_COOKIE,
  SET_COOKIE_LABEL,
  startBrowserUpstream,
  UPSTREAM_SECRET_HEADER,
  type BrowserUpstream,
} from './upstream.js';

type ServeName = 'cred' | 'plain' | 'down';
const SERVES: readonly ServeName[] = ['cred', 'plain', 'down'];

export function servePolicies(appOrigin: string): string {
  return `version: 1
policies:
  cred:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: [X-Custom]
    exposeHeaders: [${EXPOSED_HEADER}]
    credentials: true
  plain:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: [X-Custom]
    exposeHeaders: [${EXPOSED_HEADER}]
`;
}

interface Stage {
  dir: string;
  pages: PageServer;
  upstream: BrowserUpstream;
  serves: Record<ServeName, ServeProcess>;
  tls: { key: Buffer; cert: Buffer };
}

export function serveBrowserSuite(engines: readonly EngineName[] = ENGINES): void {
  useSharedEngines();
  describe(`cors-gen serve, called by ${engines.map((e) => ENGINE_FACTS[e].label).join(', ')}`, () => {
    let stage: Stage | undefined;
    const started: ServeProcess[] = [];

    beforeAll(async () => {
      const dir = makeTempDir('serve-browser');
      const pages = await startPageServer(dir);
      const upstream = await startBrowserUpstream();
      const file = join(dir, 'policy.yaml');
      writeFileSync(file, servePolicies(pages.origin(APP_HOST)));
      const up = `http://127.0.0.1:${upstream.port}/`;
      const [closed] = await freePorts(1);
      const start = async (args: string[]) => {
        const s = await startServe([file, '--listen', '127.0.0.1:0', ...args]);
        started.push(s);
        return s;
      };
      const serves = {
        cred: await start(['--policy', 'cred', '--upstream', up]),
        plain: await start(['--policy', 'plain', '--upstream', up]),
        down: await start(['--policy', 'cred', '--upstream', `http://127.0.0.1:${closed}/`]),
      };
      stage = { dir, pages, upstream, serves, tls: makeCertificate(dir) };
    }, 60_000);

    afterAll(async () => {
      for (const s of started) await s.stop();
      await stage?.upstream.close();
      await stage?.pages.close();
      if (stage) removeDir(stage.dir);
    });

    for (const name of engines) engineChecks(name, () => stage!);

    it('no preflight ever reached the upstream', () => {
      expect(stage!.upstream.seen.filter((r) => r.method === 'OPTIONS')).toEqual([]);
    });
  });
}

function engineChecks(name: EngineName, getStage: () => Stage): void {
  const facts = ENGINE_FACTS[name];
  describe(facts.label, () => {
    let s: Stage;
    let engine: Engine | undefined;
    let app: EnginePage;
    let evil: EnginePage;
    let endpoints: Record<ServeName | 'upstream', { base: string; forwarder: Forwarder }>;
    let passed = 0;
    const sid = `sid=${name}-${Math.random().toString(36).slice(2)}`;

    /** Paths are per engine: every engine talks to the same serve processes and upstream. */
    const p = (status: number, label: string) => `/status/${status}/${name}-${label}`;
    const url = (serve: ServeName, path: string) => `${endpoints[serve].base}${path}`;
    const direct = (path: string) => `${endpoints.upstream.base}${path}`;
    const cred: FetchInit = { credentials: 'include' };
    const put = (header: string, init: FetchInit = {}): FetchInit => ({ method: 'PUT', headers: { [header]: '1' }, ...init });

    const readable = (o: FetchOutcome | undefined, status: number, method: string, path: string, what: string) =>
      expect(o, what).toMatchObject({ kind: 'response', status, body: `upstream ${status} ${method} ${path}\n` });
    const refused = (o: FetchOutcome | undefined, what: string) => {
      expect(o?.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o?.kind === 'error' ? o.error : '', what).toMatch(facts.corsError);
    };
    const sent = (serve: ServeName, path: string) => endpoints[serve].forwarder.sent.filter((r) => r.path === path);

    beforeAll(async () => {
      s = getStage();
      const targets = [...SERVES.map((k) => [k, s.serves[k].port] as const), ['upstream', s.upstream.port] as const];
      endpoints = Object.fromEntries(await Promise.all(targets.map(async ([k, port]) => [k, await endpointFor(name, port, s.tls)] as const))) as typeof endpoints;
      engine = await borrowEngine(name, direct(p(200, 'cookie-visit')));
      await engine.setCookie({ name: sid.split('=')[0]!, value: sid.split('=')[1]! }, direct(p(200, 'cookie-visit')));
      app = await engine.open(s.pages.origin(APP_HOST));
      evil = await engine.open(s.pages.origin(EVIL_HOST));
    }, 60_000);

    afterAll(async () => {
      if (endpoints) for (const e of Object.values(endpoints)) await e.forwarder.close();
      // The README's "verified in" table quotes this line.
      console.log(`browser serve: ${engine?.version ?? `${facts.label} (not started)`}, cors-gen serve: ${passed} checks passed`);
    });

    it('(a) the allowed origin reads GETs, errors included; the refused origin gets a network error, though the upstream alone would let it read', async () => {
      const cases = (['cred', 'plain'] as const).flatMap((serve) => [200, 500].map((status) => ({ serve, status, path: p(status, `a-${serve}`) })));
      const out = await app.run(cases.map((c) => ({ url: url(c.serve, c.path) })));
      for (const [i, c] of cases.entries()) {
        readable(out[i], c.status, 'GET', c.path, `${c.serve}: GET ${c.status}`);
        passed++;
      }
      const bad = await evil.run([{ url: direct(p(200, 'a-direct')) }, { url: url('cred', p(200, 'a-evil-cred')) }, { url: url('plain', p(200, 'a-evil-plain')) }]);
      readable(bad[0], 200, 'GET', p(200, 'a-direct'), 'control: the refused origin reads the upstream directly');
      for (const [i, serve] of (['cred', 'plain'] as const).entries()) {
        refused(bad[i + 1], `${serve}: GET from the refused origin`);
        expect(s.upstream.to(p(200, `a-evil-${serve}`)).length, 'forwarded all the same (docs/contract.md §2)').toBe(1);
        passed++;
      }
    });

    it('(b) a preflighted PUT with an allowed header succeeds, serve answering the preflight; an unlisted header is refused', async () => {
      const serves = ['cred', 'plain'] as const;
      const out = await app.run(serves.flatMap((serve) => [{ url: url(serve, p(200, `b-${serve}`)), init: put('X-Custom') }, { url: url(serve, p(200, `b-bad-${serve}`)), init: put('X-Not-Allowed') }]));
      for (const [i, serve] of serves.entries()) {
        const path = p(200, `b-${serve}`);
        readable(out[2 * i], 200, 'PUT', path, `${serve}: PUT`);
        expect(sent(serve, path).map((r) => r.method), `${serve}: the engine sent a preflight, then the PUT`).toEqual(['OPTIONS', 'PUT']);
        expect(sent(serve, path)[0]!.headers).toMatchObject({ origin: app.origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-custom' });
        const line = `OPTIONS ${path} origin=${app.origin} preflight-allowed 204`;
        expect(await s.serves[serve].waitForRequestLine((l) => l === line)).toBe(line);
        expect(s.upstream.to(path).map((r) => r.method), 'the preflight never reached the upstream').toEqual(['PUT']);
        passed++;
        // Control: the same PUT with a header the policy does not list.
        const bad = p(200, `b-bad-${serve}`);
        refused(out[2 * i + 1], `${serve}: PUT with an unlisted header`);
        expect(sent(serve, bad).map((r) => r.method), `${serve}: the preflight only`).toEqual(['OPTIONS']);
        expect(s.upstream.to(bad)).toEqual([]);
        passed++;
      }
    });

    it('(c) credentials: the cookie reaches the upstream only through the credentialed policy; the upstream’s cookie is kept and sent back', async () => {
      const setter = `/status/200/${name}-c/${SET_COOKIE_LABEL}`;
      const out = await app.run([
        { url: url('cred', p(200, 'c-cred')), init: cred },
        { url: url('plain', p(200, 'c-plain')), init: cred },
        { url: url('cred', setter), init: cred },
        { url: url('cred', p(200, 'c-after')), init: cred },
      ]);
      readable(out[0], 200, 'GET', p(200, 'c-cred'), 'cred: credentialed GET');
      expect(s.upstream.to(p(200, 'c-cred'))[0]?.cookie ?? '').toContain(sid);
      passed++;
      // Control: without credentials: true, the browser withholds the answer, and serve does not pass
      // on the cookie the engine sent.
      refused(out[1], 'plain: credentialed GET');
      expect(sent('plain', p(200, 'c-plain'))[0]?.headers.cookie ?? '', 'the engine sent the cookie').toContain(sid);
      expect(s.upstream.to(p(200, 'c-plain'))[0]?.cookie, 'serve did not pass it on').toBeUndefined();
      passed++;
      readable(out[2], 200, 'GET', setter, 'cred: a GET that sets a cookie');
      readable(out[3], 200, 'GET', p(200, 'c-after'), 'cred: the next credentialed GET');
      expect(s.upstream.to(setter)[0]?.cookie ?? '', 'not there before it was set').not.toContain(LATE_COOKIE);
      expect(s.upstream.to(p(200, 'c-after'))[0]?.cookie ?? '').toContain(LATE_COOKIE);
      passed++;
    });

    it('(d) only the policy’s exposed header is readable (not the upstream’s own exposed one)', async () => {
      const read = [EXPOSED_HEADER, HIDDEN_HEADER, UPSTREAM_SECRET_HEADER];
      // Control: straight from the upstream, its own Access-Control-Expose-Headers makes its header readable.
      const out = await app.run([{ url: direct(p(200, 'd-direct')), read }, { url: url('plain', p(200, 'd')), read }]);
      expect(out[0]).toMatchObject({ kind: 'response', headers: { [UPSTREAM_SECRET_HEADER]: 'upstream-secret' } });
      expect(out[1]?.kind === 'response' && out[1].headers).toEqual({ [EXPOSED_HEADER]: EXPOSED_VALUE, [HIDDEN_HEADER]: null, [UPSTREAM_SECRET_HEADER]: null });
      passed++;
    });

    it('(e) with the upstream down, the page reads serve’s 502; the refused origin cannot', async () => {
      const [o] = await app.run([{ url: url('down', p(200, 'e')), init: cred }]);
      expect(o).toMatchObject({ kind: 'response', status: 502, body: 'Bad gateway: the upstream refused the connection.\n' });
      passed++;
      const [bad] = await evil.run([{ url: url('down', p(200, 'e-evil')) }]);
      refused(bad, 'control: the 502 from the refused origin');
    });

    const prompt = facts.authPromptOnCors401;
    it(`(f) a credentialed call answered 401 + WWW-Authenticate: Basic: the page reads the 401; ${facts.label} ${prompt.prompts ? 'asks for a password (cancelled by the test)' : 'does not ask for a password'} (engine-facts.ts)`, async () => {
      const path = `/status/401${AUTH_CHALLENGE_PATH}${name}-f`;
      const before = engine!.authChallenges();
      const [o] = await app.run([{ url: url('cred', path), init: cred }]);
      readable(o, 401, 'GET', path, 'cred: credentialed GET answered 401');
      expect(engine!.authChallenges() - before, `${facts.label}: password prompts`).toBe(prompt.prompts ? 1 : 0);
      expect(s.upstream.to(path).map((r) => r.headers.authorization), 'one request, not retried with a password').toEqual([undefined]);
      passed++;
      // Control: the same 401 from the refused origin is a network error.
      const [bad] = await evil.run([{ url: url('cred', `/status/401${AUTH_CHALLENGE_PATH}${name}-f-evil`), init: cred }]);
      refused(bad, 'control: the refused origin, 401');
    });

    it('the forwarders could read every request the engine sent', () => {
      for (const e of Object.values(endpoints)) expect(e.forwarder.unparsed).toEqual([]);
    });
  });
}
