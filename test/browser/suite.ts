// The browser suite every target runs: Debian's Chromium, on real https origins, calls the real server
// (generated configs included as contract §4 says, in front of an upstream that sends its own
// Access-Control-* headers) and the test reads what JavaScript on the page can read. One browser and
// one server process per target; one site per policy.
//
//   https://app.example.test:<P>   the allowed origin (a page served by page-server.ts)
//   https://evil.example.test:<P>  the disallowed origin (same page server, another host)
//   http://127.0.0.1:<port>        the server under test, one port per policy (loopback is not
//                                  mixed content for an https page)
//
// Each check has a control that shows it can fail: the request straight to the upstream, the
// refused origin, the policy without credentials, the policy without maxAge.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetName } from '../../src/targets/types.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy, type ServerDriver, type Site } from '../harness/suite.js';
import { addAccessLog, preflightsAt, type AccessLog } from './access-log.js';
import { CORS_NETWORK_ERROR, launchChromium, pageFetch, type FetchInit, type FetchOutcome, type TestBrowser } from './browser.js';
import { APP_HOST, EVIL_HOST, startPageServer, type PageServer } from './page-server.js';
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
import type { Page } from 'playwright-core';

/** The request header the policies allow, and one they do not. */
const ALLOWED_HEADER = 'X-Custom';
const UNLISTED_HEADER = 'X-Not-Allowed';
const MAX_AGE = 600;
/** Chromium caches a preflight without Access-Control-Max-Age for 5 s (the Fetch standard's default). */
const DEFAULT_PREFLIGHT_CACHE_MS = 5_000;

type PolicyName = 'cred' | 'plain' | 'public';

/** The policies under test, for a page origin whose port is known only at test time. */
export function browserPolicies(appOrigin: string): string {
  return `version: 1
policies:
  cred:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: [${ALLOWED_HEADER}]
    exposeHeaders: [${EXPOSED_HEADER}]
    credentials: true
    maxAge: ${MAX_AGE}
  plain:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: [${ALLOWED_HEADER}]
    exposeHeaders: [${EXPOSED_HEADER}]
  public:
    origins: "*"
    methods: [GET, PUT]
    allowHeaders: [${ALLOWED_HEADER}]
`;
}

/** "nginx 1.22.1", "Apache 2.4.66", "Caddy 2.6.2": what the server binary says of itself. */
export function serverVersion(target: TargetName): string {
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  const pick = (text: string, re: RegExp, name: string) => `${name} ${re.exec(text)?.[1] ?? `unknown (${text.trim()})`}`;
  switch (target) {
    case 'nginx':
      return pick(run('nginx', ['-v']), /nginx\/(\S+)/, 'nginx');
    case 'apache':
      return pick(run('apache2', ['-v']), /Apache\/(\S+)/, 'Apache');
    case 'caddy':
      return pick(run('caddy', ['version']), /v?([0-9]+\.[0-9]+\.[0-9]+\S*)/, 'Caddy');
    default:
      return String(target);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function browserSuite(driver: ServerDriver): void {
  describe(`${driver.target}: generated configs in the real server, called by Chromium`, () => {
    let dir = '';
    let serverDir = '';
    let profileDir = '';
    let pages: PageServer | undefined;
    let upstream: BrowserUpstream | undefined;
    let server: RunningServer | undefined;
    let browser: TestBrowser | undefined;
    let log: AccessLog;
    let app: Page;
    let evil: Page;
    let sites: Record<PolicyName, number>;
    const sid = `sid=${Math.random().toString(36).slice(2)}`;
    let passed = 0;
    const version = serverVersion(driver.target);

    const url = (policy: PolicyName, path: string) => `http://127.0.0.1:${sites[policy]}${path}`;
    const direct = (path: string) => `http://127.0.0.1:${upstream!.port}${path}`;

    /** The page read the upstream's answer: status and body as the upstream sent them. */
    const readable = (o: FetchOutcome, status: number, method: string, path: string, what: string) => {
      expect(o, what).toMatchObject({ kind: 'response', status, body: `upstream ${status} ${method} ${path}\n` });
    };
    /** The browser refused the response: a network error, nothing to read (and not a timeout). */
    const refused = (o: FetchOutcome, what: string) => {
      expect(o.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o.kind === 'error' ? o.error : '', what).toMatch(CORS_NETWORK_ERROR);
    };
    const put = (extra: Record<string, string>, init: FetchInit = {}): FetchInit => ({ method: 'PUT', headers: extra, ...init });

    beforeAll(async () => {
      dir = makeTempDir(`${driver.target}-browser`);
      profileDir = join(makeTempDir('chromium-profile'), 'profile');
      pages = await startPageServer(dir);
      const set = compilePolicy(browserPolicies(pages.origin(APP_HOST)), 'browser-policies.yaml');
      upstream = await startBrowserUpstream();
      const ports = await freePorts(set.policies.length);
      const siteList: Site[] = set.policies.map((p, i) => ({ policy: p.name, port: ports[i]! }));
      sites = Object.fromEntries(siteList.map((s) => [s.policy, s.port])) as Record<PolicyName, number>;
      const prepared = prepareServerDir(driver.target, set, `${driver.target}-browser`, (serverDir, corsDir) => {
        const path = driver.writeConfig({ dir: serverDir, corsDir, sites: siteList, upstreamPort: upstream!.port });
        log = addAccessLog(driver.target, { dir: serverDir, configPath: path, sites: siteList });
        return path;
      });
      serverDir = prepared.dir;
      server = await checkAndStart(driver, prepared, ports);
      browser = await launchChromium(profileDir);
      await browser.context.addCookies([
        { name: sid.split('=')[0]!, value: sid.split('=')[1]!, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' },
      ]);
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
      // The README's "verified in" table quotes this line.
      console.log(`browser: ${browser?.version ?? 'Chromium (not started)'}, ${version}: ${passed} checks passed`);
    });

    it('(a) an allowed origin’s simple GET is readable from JavaScript', async () => {
      for (const policy of ['cred', 'plain', 'public'] as const) {
        const path = `/status/200/a-${policy}`;
        readable(await pageFetch(app, url(policy, path)), 200, 'GET', path, `${policy}: GET from the allowed origin`);
        expect(upstream!.count('GET', path)).toBe(1);
        passed++;
      }
    });

    it('(b) a disallowed origin gets a network error (though the upstream alone would let it read)', async () => {
      // Control: the upstream's own Access-Control-Allow-Origin: * lets any origin read it directly.
      const control = '/status/200/b-direct';
      readable(await pageFetch(evil, direct(control)), 200, 'GET', control, 'control: the evil origin reads the upstream directly');
      for (const policy of ['cred', 'plain'] as const) {
        const path = `/status/200/b-${policy}`;
        refused(await pageFetch(evil, url(policy, path)), `${policy}: GET from the disallowed origin`);
        // The simple request was forwarded (contract §2); only the browser withholds the answer.
        expect(upstream!.count('GET', path)).toBe(1);
        passed++;
        const putPath = `/status/200/b-${policy}-put`;
        refused(await pageFetch(evil, url(policy, putPath), put({ [ALLOWED_HEADER]: '1' })), `${policy}: preflighted PUT from the disallowed origin`);
        expect(await preflightsAt(log, sites[policy], putPath), 'the refused preflight reached the server').toBe(1);
        expect(upstream!.to(putPath), 'nothing of the refused PUT reaches the upstream').toEqual([]);
        passed++;
      }
    });

    it('(c) a preflighted PUT with an allowed custom header succeeds; the server answers the preflight itself', async () => {
      for (const policy of ['cred', 'plain', 'public'] as const) {
        const path = `/status/200/c-${policy}`;
        const init = put({ [ALLOWED_HEADER]: `c-${policy}` }, policy === 'cred' ? { credentials: 'include' } : {});
        readable(await pageFetch(app, url(policy, path), init), 200, 'PUT', path, `${policy}: preflighted PUT`);
        expect(await preflightsAt(log, sites[policy], path), `${policy}: one preflight reached the server`).toBe(1);
        expect(upstream!.count('OPTIONS', path), `${policy}: no preflight reached the upstream`).toBe(0);
        const puts = upstream!.to(path);
        expect(puts.map((r) => r.method)).toEqual(['PUT']);
        expect(puts[0]!.headers[ALLOWED_HEADER.toLowerCase()]).toBe(`c-${policy}`);
        passed++;
      }
    });

    it('(d) a request header not in allowHeaders is refused by the browser', async () => {
      for (const policy of ['cred', 'plain', 'public'] as const) {
        const path = `/status/200/d-${policy}`;
        refused(await pageFetch(app, url(policy, path), put({ [UNLISTED_HEADER]: '1' })), `${policy}: PUT with ${UNLISTED_HEADER}`);
        expect(await preflightsAt(log, sites[policy], path), `${policy}: the preflight was sent and answered`).toBe(1);
        expect(upstream!.to(path), `${policy}: the PUT was never sent`).toEqual([]);
        passed++;
      }
    });

    it('(e) credentials: include with a cookie works with the credentialed policy, fails without credentials', async () => {
      const withCookie = '/status/200/e-cred';
      readable(await pageFetch(app, url('cred', withCookie), { credentials: 'include' }), 200, 'GET', withCookie, 'cred: credentialed GET');
      expect(upstream!.to(withCookie)[0]?.cookie ?? '', 'the cookie arrives at the upstream').toContain(sid);
      passed++;
      // Control: the cookie is there because of credentials: 'include', not regardless.
      const omitted = '/status/200/e-cred-omit';
      readable(await pageFetch(app, url('cred', omitted), { credentials: 'omit' }), 200, 'GET', omitted, 'cred: GET without credentials');
      expect(upstream!.to(omitted)[0]?.cookie, 'no cookie without credentials').toBeUndefined();
      passed++;
      // A cookie the upstream sets in a credentialed CORS response is kept and sent back.
      const setter = `/status/200/${SET_COOKIE_LABEL}`;
      readable(await pageFetch(app, url('cred', setter), { credentials: 'include' }), 200, 'GET', setter, 'cred: credentialed GET that sets a cookie');
      const after = '/status/200/e-cred-after';
      readable(await pageFetch(app, url('cred', after), { credentials: 'include' }), 200, 'GET', after, 'cred: the next credentialed GET');
      expect(upstream!.to(after)[0]?.cookie ?? '').toContain(LATE_COOKIE);
      passed++;
      // The policy without credentials: the cookie is sent, but the browser withholds the answer.
      for (const [label, init] of [
        ['GET', {}],
        ['PUT', put({ [ALLOWED_HEADER]: '1' })],
      ] as const) {
        const path = `/status/200/e-plain-${label}`;
        refused(await pageFetch(app, url('plain', path), { ...init, credentials: 'include' }), `plain: credentialed ${label}`);
        passed++;
      }
      expect(upstream!.to('/status/200/e-plain-GET')[0]?.cookie ?? '', 'the cookie was sent all the same').toContain(sid);
      expect(upstream!.to('/status/200/e-plain-PUT'), 'the credentialed preflight failed, so no PUT').toEqual([]);
    });

    it('(f) origins "*" without credentials works from any origin', async () => {
      for (const [name, page] of [
        ['allowed', app],
        ['other', evil],
      ] as const) {
        const path = `/status/200/f-${name}`;
        readable(await pageFetch(page, url('public', path)), 200, 'GET', path, `public: GET from the ${name} origin`);
        passed++;
        const putPath = `/status/200/f-${name}-put`;
        readable(await pageFetch(page, url('public', putPath), put({ [ALLOWED_HEADER]: '1' })), 200, 'PUT', putPath, `public: PUT from the ${name} origin`);
        expect(upstream!.count('OPTIONS', putPath)).toBe(0);
        passed++;
      }
      // The answer is a literal "*", which a credentialed request may not use.
      refused(await pageFetch(app, url('public', '/status/200/f-credentials'), { credentials: 'include' }), 'public: credentialed GET');
      passed++;
    });

    it('(g) an exposed header is readable, an unexposed one (and the upstream’s own exposed one) is null', async () => {
      const read = [EXPOSED_HEADER, HIDDEN_HEADER, UPSTREAM_SECRET_HEADER];
      // Control: straight from the upstream, its own Access-Control-Expose-Headers makes its header readable.
      const control = await pageFetch(app, direct('/status/200/g-direct'), {}, read);
      expect(control).toMatchObject({ kind: 'response', headers: { [UPSTREAM_SECRET_HEADER]: 'upstream-secret', [HIDDEN_HEADER]: null } });
      for (const policy of ['cred', 'plain', 'public'] as const) {
        const path = `/status/200/g-${policy}`;
        const o = await pageFetch(app, url(policy, path), policy === 'cred' ? { credentials: 'include' } : {}, read);
        readable(o, 200, 'GET', path, `${policy}: GET`);
        expect(o.kind === 'response' && o.headers, `${policy}: headers as JavaScript sees them`).toEqual({
          [EXPOSED_HEADER]: policy === 'public' ? null : EXPOSED_VALUE,
          [HIDDEN_HEADER]: null,
          [UPSTREAM_SECRET_HEADER]: null,
        });
        passed++;
      }
    });

    it('(h) an error from the upstream is readable from JavaScript, status and body', async () => {
      for (const policy of ['cred', 'plain', 'public'] as const) {
        for (const status of [500, 404]) {
          const path = `/status/${status}/h-${policy}`;
          const init: FetchInit = policy === 'cred' ? { credentials: 'include' } : {};
          readable(await pageFetch(app, url(policy, path), init), status, 'GET', path, `${policy}: GET answered ${status}`);
          passed++;
        }
      }
    });

    it('(i) the upstream’s own Access-Control-Allow-Origin: * does not break the credentialed policy', async () => {
      // Control: straight from the upstream, "*" (with its own Allow-Credentials) fails a credentialed request.
      refused(await pageFetch(app, direct('/status/200/i-direct'), { credentials: 'include' }), 'control: credentialed GET to the upstream');
      const path = '/status/200/i-cred';
      readable(await pageFetch(app, url('cred', path), { credentials: 'include' }), 200, 'GET', path, 'cred: credentialed GET');
      passed++;
      const putPath = '/status/200/i-cred-put';
      readable(
        await pageFetch(app, url('cred', putPath), put({ [ALLOWED_HEADER]: '1' }, { credentials: 'include' })),
        200,
        'PUT',
        putPath,
        'cred: credentialed preflighted PUT',
      );
      passed++;
    });

    it(`(j) with maxAge a repeated request sends no second preflight (without it, ${DEFAULT_PREFLIGHT_CACHE_MS / 1000} s later, it does)`, async () => {
      const path = '/status/200/j';
      const send = async () => {
        for (const policy of ['cred', 'plain'] as const) {
          readable(await pageFetch(app, url(policy, path), put({ [ALLOWED_HEADER]: 'j' })), 200, 'PUT', path, `${policy}: PUT`);
        }
      };
      await send();
      // Past Chromium's default cache time: only Access-Control-Max-Age can keep the first preflight.
      await sleep(DEFAULT_PREFLIGHT_CACHE_MS + 1_000);
      await send();
      expect(await preflightsAt(log, sites.cred, path), `cred (maxAge ${MAX_AGE}): preflights that reached the server`).toBe(1);
      passed++;
      expect(await preflightsAt(log, sites.plain, path), 'plain (no maxAge): preflights that reached the server').toBe(2);
      passed++;
      expect(upstream!.count('PUT', path)).toBe(4);
      expect(upstream!.count('OPTIONS', path)).toBe(0);
    }, 30_000);

    it('no preflight ever reached the upstream', () => {
      expect(upstream!.seen.filter((r) => r.method === 'OPTIONS')).toEqual([]);
    });
  });
}
