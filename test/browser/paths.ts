// Path-scoped policies (contract §2a) as Chromium sees them: on one host (one server block, virtual
// host or site, both policies included together at one level), /public/ is readable from any
// origin, /api/ with credentials from the app's origin only, and a path neither governs is left to
// the application. Each check has a control that shows it can fail.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNGOVERNED_APP_CORS_HEADERS, type PathTarget } from '../../src/model/paths.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy } from '../harness/suite.js';
import { PATHS_DRIVERS } from '../servers/paths.drivers.js';
import { CORS_NETWORK_ERROR, launchChromium, pageFetch, type FetchOutcome, type TestBrowser } from './browser.js';
import { APP_HOST, EVIL_HOST, startPageServer, type PageServer } from './page-server.js';
import { EXPOSED_HEADER, EXPOSED_VALUE, startBrowserUpstream, type BrowserUpstream } from './upstream.js';
import type { Page } from 'playwright-core';

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

export function pathsBrowserSuite(target: PathTarget): void {
  describe(`${target}: /public/ for any origin and /api/ with credentials on one host, called by Chromium`, () => {
    let dir = '';
    let serverDir = '';
    let profileDir = '';
    let pages: PageServer | undefined;
    let upstream: BrowserUpstream | undefined;
    let server: RunningServer | undefined;
    let browser: TestBrowser | undefined;
    let app: Page;
    let evil: Page;
    let port = 0;
    let passed = 0;
    const sid = `sid=${Math.random().toString(36).slice(2)}`;
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;

    const readable = (o: FetchOutcome, method: string, path: string, what: string) => {
      expect(o, what).toMatchObject({ kind: 'response', status: 200, body: `upstream 200 ${method} ${path}\n` });
      passed++;
    };
    const refused = (o: FetchOutcome, what: string) => {
      expect(o.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o.kind === 'error' ? o.error : '', what).toMatch(CORS_NETWORK_ERROR);
      passed++;
    };

    beforeAll(async () => {
      dir = makeTempDir(`${target}-paths-browser`);
      profileDir = join(makeTempDir('chromium-profile'), 'profile');
      pages = await startPageServer(dir);
      const set = compilePolicy(pathPolicies(pages.origin(APP_HOST)), 'paths-browser.yaml');
      upstream = await startBrowserUpstream();
      port = (await freePorts(1))[0]!;
      const paths = PATHS_DRIVERS[target];
      const prepared = prepareServerDir(target, set, `${target}-paths-browser`, (d, corsDir) =>
        paths.writeConfig({ dir: d, corsDir, sites: [{ policies: ['public', 'api'], port }], upstreamPort: upstream!.port }),
      );
      serverDir = prepared.dir;
      server = await checkAndStart(paths.driver, prepared, [port]);
      browser = await launchChromium(profileDir);
      await browser.context.addCookies([{ name: sid.split('=')[0]!, value: sid.split('=')[1]!, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' }]);
      app = await browser.open(pages.origin(APP_HOST));
      evil = await browser.open(pages.origin(EVIL_HOST));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await upstream?.close();
      await pages?.close();
      if (dir) removeDir(dir);
      if (serverDir) removeDir(serverDir);
      if (profileDir) removeDir(join(profileDir, '..'));
      console.log(`browser paths: ${browser?.version ?? 'Chromium (not started)'}, ${target}: ${passed} checks passed`);
    });

    it('/public/ is readable from any origin, without credentials (with them the literal * fails)', async () => {
      readable(await pageFetch(app, url('/public/a.css')), 'GET', '/public/a.css', 'app: GET /public/');
      readable(await pageFetch(evil, url('/public/b.css')), 'GET', '/public/b.css', 'other origin: GET /public/');
      refused(await pageFetch(app, url('/public/c.css'), { credentials: 'include' }), 'app: credentialed GET /public/');
    });

    it('/api/ is readable with credentials from the app’s origin only; its preflight is answered by the server', async () => {
      readable(await pageFetch(app, url('/api/me'), { credentials: 'include' }), 'GET', '/api/me', 'app: credentialed GET /api/');
      expect(upstream!.to('/api/me')[0]?.cookie ?? '', 'the cookie reaches the application').toContain(sid);
      const put = { method: 'PUT', headers: { [CUSTOM_HEADER]: '1' }, credentials: 'include' as const };
      readable(await pageFetch(app, url('/api/items'), put), 'PUT', '/api/items', 'app: credentialed preflighted PUT /api/');
      expect(upstream!.count('OPTIONS', '/api/items'), 'the preflight never reaches the application').toBe(0);
      const exposed = await pageFetch(app, url('/api/headers'), { credentials: 'include' }, [EXPOSED_HEADER]);
      expect(exposed).toMatchObject({ kind: 'response', headers: { [EXPOSED_HEADER]: EXPOSED_VALUE } });
      passed++;
      // Control: the other origin is refused at /api/ (though it may read /public/ on the same host).
      refused(await pageFetch(evil, url('/api/me'), { credentials: 'include' }), 'other origin: credentialed GET /api/');
      refused(await pageFetch(evil, url('/api/items2'), put), 'other origin: credentialed PUT /api/');
      expect(upstream!.to('/api/items2'), 'the refused preflight stops the PUT').toEqual([]);
    });

    it('at a path neither policy governs, the application decides (its own headers pass or are removed, per server)', async () => {
      // The application sends Access-Control-Allow-Origin: * itself.
      const o = await pageFetch(app, url('/other'));
      if (UNGOVERNED_APP_CORS_HEADERS[target] === 'passed') readable(o, 'GET', '/other', 'app: GET /other with the application’s own *');
      else refused(o, 'app: GET /other, the application’s own headers removed');
      // The preflight is not answered by the server: it reaches the application.
      await pageFetch(app, url('/other-put'), { method: 'PUT', headers: { [CUSTOM_HEADER]: '1' } });
      expect(upstream!.count('OPTIONS', '/other-put'), 'the preflight reached the application').toBe(1);
      passed++;
    });
  });
}
