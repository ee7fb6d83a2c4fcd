// Path-scoped policies (docs/contract.md §2a) as the three browser engines see them: on one host (one server
// block, virtual host or site, both policies included together at one level), /public/ is readable
// from any origin, /api/ with credentials from the app's origin only, and a path neither governs is
// left to the application. Each check has a control that shows it can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNGOVERNED_APP_CORS_HEADERS, type TargetName as PathTarget } from '../../src/targets/registry.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy } from '../harness/suite.js';
import { PATHS_DRIVERS } from '../servers/drivers.js';
import type { FetchInit, FetchOutcome } from './browser.js';
import { ENGINES, type Engine, type EngineName, type EnginePage } from './engine.js';
import { ENGINE_FACTS } from './engine-facts.js';
import { borrowEngine, useSharedEngines } from './engine-pool.js';
import { endpointFor, type Forwarder } from './forwarder.js';
import { APP_HOST, EVIL_HOST, makeCertificate, startPageServer, type PageServer } from './page-server.js';
import { EXPOSED_HEADER, EXPOSED_VALUE, startBrowserUpstream, type BrowserUpstream } from './upstream.js';

const CUSTOM_HEADER = 'X-Custom';

export function pathPolicies(appOrigin: string): string {
  return `version: 1
policies:
  public:
    origins: "*"
    methods: [GET]
    paths: [/public/]
  api:
    origins: [${appOrigin}]
    credentials: true
    methods: [GET, PUT]
    allowHeaders: [${CUSTOM_HEADER}]
    exposeHeaders: [${EXPOSED_HEADER}]
    paths: [/api/]
`;
}

interface Stage {
  dir: string;
  pages: PageServer;
  upstream: BrowserUpstream;
  port: number;
  tls: { key: Buffer; cert: Buffer };
}

export function pathsBrowserSuite(target: PathTarget, engines: readonly EngineName[] = ENGINES): void {
  useSharedEngines();
  describe(`${target}: /public/ for any origin and /api/ with credentials on one host`, () => {
    let stage: Stage | undefined;
    let serverDir = '';
    let server: RunningServer | undefined;

    beforeAll(async () => {
      const dir = makeTempDir(`${target}-paths-browser`);
      const pages = await startPageServer(dir);
      const set = compilePolicy(pathPolicies(pages.origin(APP_HOST)), 'paths-browser.yaml');
      const upstream = await startBrowserUpstream();
      const port = (await freePorts(1))[0]!;
      const paths = PATHS_DRIVERS[target];
      const prepared = prepareServerDir(target, set, `${target}-paths-browser`, (d, corsDir) =>
        paths.writeConfig({ dir: d, corsDir, sites: [{ policies: ['public', 'api'], port }], upstreamPort: upstream.port }),
      );
      serverDir = prepared.dir;
      stage = { dir, pages, upstream, port, tls: makeCertificate(dir) };
      server = await checkAndStart(paths.driver, prepared, [port]);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await stage?.upstream.close();
      await stage?.pages.close();
      if (stage) removeDir(stage.dir);
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
    let endpoint: { base: string; forwarder: Forwarder } | undefined;
    let passed = 0;
    const sid = `sid=${name}-${Math.random().toString(36).slice(2)}`;
    /** Paths are per engine: every engine of a target talks to the same server and upstream. */
    const at = (path: string) => `${path}-${name}`;
    const url = (path: string) => `${endpoint!.base}${at(path)}`;
    /** The fetches in one batch in the page. */
    const run = (page: EnginePage, fetches: { path: string; init?: FetchInit; read?: string[] }[]) =>
      page.run(fetches.map((f) => ({ url: url(f.path), init: f.init, read: f.read })));

    const readable = (o: FetchOutcome, method: string, path: string, what: string) => {
      expect(o, what).toMatchObject({ kind: 'response', status: 200, body: `upstream 200 ${method} ${at(path)}\n` });
      passed++;
    };
    const refused = (o: FetchOutcome, what: string) => {
      expect(o.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o.kind === 'error' ? o.error : '', what).toMatch(facts.corsError);
      passed++;
    };

    beforeAll(async () => {
      s = getStage();
      endpoint = await endpointFor(name, s.port, s.tls);
      engine = await borrowEngine(name, url('/other-cookie-visit'));
      await engine.setCookie({ name: sid.split('=')[0]!, value: sid.split('=')[1]! }, url('/other-cookie-visit'));
      app = await engine.open(s.pages.origin(APP_HOST));
      evil = await engine.open(s.pages.origin(EVIL_HOST));
    }, 60_000);

    afterAll(async () => {
      await endpoint?.forwarder.close();
      console.log(`browser paths: ${engine?.version ?? `${facts.label} (not started)`}, ${target}: ${passed} checks passed`);
    });

    it('/public/ is readable from any origin, without credentials (with them the literal * fails)', async () => {
      const [a, c] = await run(app, [{ path: '/public/a.css' }, { path: '/public/c.css', init: { credentials: 'include' } }]);
      const [b] = await run(evil, [{ path: '/public/b.css' }]);
      readable(a!, 'GET', '/public/a.css', 'app: GET /public/');
      readable(b!, 'GET', '/public/b.css', 'other origin: GET /public/');
      refused(c!, 'app: credentialed GET /public/');
    });

    it('/api/ is readable with credentials from the app’s origin only; its preflight is answered by the server', async () => {
      const put: FetchInit = { method: 'PUT', headers: { [CUSTOM_HEADER]: '1' }, credentials: 'include' };
      const [me, items, exposed] = await run(app, [
        { path: '/api/me', init: { credentials: 'include' } },
        { path: '/api/items', init: put },
        { path: '/api/headers', init: { credentials: 'include' }, read: [EXPOSED_HEADER] },
      ]);
      readable(me!, 'GET', '/api/me', 'app: credentialed GET /api/');
      expect(s.upstream.to(at('/api/me'))[0]?.cookie ?? '', 'the cookie reaches the application').toContain(sid);
      readable(items!, 'PUT', '/api/items', 'app: credentialed preflighted PUT /api/');
      expect(s.upstream.count('OPTIONS', at('/api/items')), 'the preflight never reaches the application').toBe(0);
      expect(endpoint!.forwarder.sent.filter((r) => r.method === 'OPTIONS' && r.path === at('/api/items')).length, 'the engine sent one preflight').toBe(1);
      expect(exposed).toMatchObject({ kind: 'response', headers: { [EXPOSED_HEADER]: EXPOSED_VALUE } });
      passed++;
      // Control: the other origin is refused at /api/ (though it may read /public/ on the same host).
      const [me2, items2] = await run(evil, [
        { path: '/api/me2', init: { credentials: 'include' } },
        { path: '/api/items2', init: put },
      ]);
      refused(me2!, 'other origin: credentialed GET /api/');
      refused(items2!, 'other origin: credentialed PUT /api/');
      expect(s.upstream.to(at('/api/items2')), 'the refused preflight stops the PUT').toEqual([]);
    });

    it('at a path neither policy governs, the application decides (its own headers pass or are removed, per server)', async () => {
      // The application sends Access-Control-Allow-Origin: * itself; the preflight is not answered
      // by the server: it reaches the application.
      const [o] = await run(app, [{ path: '/other' }, { path: '/other-put', init: { method: 'PUT', headers: { [CUSTOM_HEADER]: '1' } } }]);
      if (UNGOVERNED_APP_CORS_HEADERS[target] === 'passed') readable(o!, 'GET', '/other', 'app: GET /other with the application’s own *');
      else refused(o!, 'app: GET /other, the application’s own headers removed');
      expect(s.upstream.count('OPTIONS', at('/other-put')), 'the preflight reached the application').toBe(1);
      passed++;
    });

    it('the forwarder could read every request the engine sent', () => {
      expect(endpoint!.forwarder.unparsed).toEqual([]);
    });
  });
}
