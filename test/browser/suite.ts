// The browser suite every target runs: three browser engines (Debian's Chromium, Firefox ESR and
// WebKitGTK, engine.ts), on real https origins, call the real server (generated configs included as
// docs/contract.md §4 says, in front of an upstream that sends its own Access-Control-* headers) and the test
// reads what JavaScript on the page can read. One server process per target, one browser per engine
// for the whole test file (engine-pool.ts, reused by every check and case), one site per policy, each
// check's fetches in one batch.
//
//   https://app.example.test:<P>   the allowed origin (a page served by page-server.ts)
//   https://evil.example.test:<P>  the disallowed origin (same page server, another host)
//   http(s)://127.0.0.1:<fwd>      a recording forwarder (forwarder.ts) in front of the server under
//                                  test, one per policy: plain for the engines that allow an https
//                                  page to call http://127.0.0.1 (loopback is not mixed content),
//                                  TLS for WebKitGTK, which blocks it (engine-facts.ts)
//
// Each check has a control that shows it can fail: the request straight to the upstream, the
// refused origin, the policy without credentials, the policy without maxAge. Faithfulness: the
// forwarder shows the request each engine actually sent (the preflight's Access-Control-Request-*
// headers, never a cookie on a preflight); the upstream shows which requests carried the cookie.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetName } from '../../src/targets/types.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy, type ServerDriver, type Site } from '../harness/suite.js';
import { addAccessLog, preflightsAt, settledLog, type AccessLog } from './access-log.js';
import type { FetchInit, FetchOutcome } from './browser.js';
import { ENGINES, type Engine, type EngineName, type EnginePage, type PageFetch } from './engine.js';
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

/** The request header the policies allow, and one they do not. */
const ALLOWED_HEADER = 'X-Custom';
const UNLISTED_HEADER = 'X-Not-Allowed';
const MAX_AGE = 600;
/** A preflight without Access-Control-Max-Age is cached 5 s at most (the Fetch standard's default). */
const DEFAULT_PREFLIGHT_CACHE_MS = 5_000;

type PolicyName = 'cred' | 'plain' | 'public' | 'wild';

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
  wild:
    origins: [${appOrigin}]
    methods: [GET, PUT]
    allowHeaders: ["*"]
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

/** The status and Access-Control-Allow-Headers the server gives a preflight sent from Node. */
function preflightAnswer(port: number, path: string, origin: string, headers: string): Promise<{ status: number; 'access-control-allow-headers': string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'OPTIONS',
        agent: false,
        headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': headers },
      },
      (res) => {
        res.resume();
        const acah = res.headers['access-control-allow-headers'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, 'access-control-allow-headers': acah }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** What the server under test and its surroundings are, shared by the engines of one target. */
interface Stage {
  dir: string;
  pages: PageServer;
  upstream: BrowserUpstream;
  log: AccessLog;
  sites: Record<PolicyName, number>;
  tls: { key: Buffer; cert: Buffer };
}

export function browserSuite(driver: ServerDriver, engines: readonly EngineName[] = ENGINES): void {
  useSharedEngines();
  describe(`${driver.target}: generated configs in the real server, called by ${engines.map((e) => ENGINE_FACTS[e].label).join(', ')}`, () => {
    let stage: Stage | undefined;
    let serverDir = '';
    let server: RunningServer | undefined;
    const version = serverVersion(driver.target);

    beforeAll(async () => {
      const dir = makeTempDir(`${driver.target}-browser`);
      const pages = await startPageServer(dir);
      const set = compilePolicy(browserPolicies(pages.origin(APP_HOST)), 'browser-policies.yaml');
      const upstream = await startBrowserUpstream();
      const ports = await freePorts(set.policies.length);
      const siteList: Site[] = set.policies.map((p, i) => ({ policy: p.name, port: ports[i]! }));
      let log: AccessLog | undefined;
      const prepared = prepareServerDir(driver.target, set, `${driver.target}-browser`, (serverDir, corsDir) => {
        const path = driver.writeConfig({ dir: serverDir, corsDir, sites: siteList, upstreamPort: upstream.port });
        log = addAccessLog(driver.target, { dir: serverDir, configPath: path, sites: siteList });
        return path;
      });
      serverDir = prepared.dir;
      stage = {
        dir,
        pages,
        upstream,
        log: log!,
        sites: Object.fromEntries(siteList.map((s) => [s.policy, s.port])) as Record<PolicyName, number>,
        tls: makeCertificate(dir),
      };
      server = await checkAndStart(driver, prepared, ports);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await stage?.upstream.close();
      await stage?.pages.close();
      if (stage) removeDir(stage.dir);
      if (serverDir) removeDir(serverDir);
    });

    for (const name of engines) engineChecks(name, () => stage!, version);

    it('no preflight ever reached the upstream', () => {
      expect(stage!.upstream.seen.filter((r) => r.method === 'OPTIONS')).toEqual([]);
    });
  });
}

function engineChecks(name: EngineName, getStage: () => Stage, serverVersionText: string): void {
  const facts = ENGINE_FACTS[name];
  describe(facts.label, () => {
    let s: Stage;
    let engine: Engine | undefined;
    let app: EnginePage;
    let evil: EnginePage;
    let endpoints: Record<PolicyName | 'upstream', { base: string; forwarder: Forwarder }>;
    const sid = `sid=${name}-${Math.random().toString(36).slice(2)}`;
    let passed = 0;

    /** Paths are per engine: every engine of a target talks to the same server and upstream. */
    const p = (status: number, label: string) => `/status/${status}/${name}-${label}`;
    const url = (policy: PolicyName, path: string) => `${endpoints[policy].base}${path}`;
    const direct = (path: string) => `${endpoints.upstream.base}${path}`;
    const run = (page: EnginePage, fetches: PageFetch[]) => page.run(fetches);

    /** The page read the upstream's answer: status and body as the upstream sent them. */
    const readable = (o: FetchOutcome | undefined, status: number, method: string, path: string, what: string) => {
      expect(o, what).toMatchObject({ kind: 'response', status, body: `upstream ${status} ${method} ${path}\n` });
    };
    /** The browser refused the response: the engine's network error, nothing to read (and not a timeout). */
    const refused = (o: FetchOutcome | undefined, what: string) => {
      expect(o?.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
      expect(o?.kind === 'error' ? o.error : '', what).toMatch(facts.corsError);
    };
    const put = (extra: Record<string, string>, init: FetchInit = {}): FetchInit => ({ method: 'PUT', headers: extra, ...init });
    /** The requests the engine sent for `path` through the forwarder of `policy`. */
    const sentTo = (policy: PolicyName, path: string) => endpoints[policy].forwarder.sent.filter((r) => r.path === path);
    /** The one preflight the engine sent for `path`: from the page's origin, for PUT, with `headers`, no cookie. */
    const preflightSent = (policy: PolicyName, path: string, origin: string, headers: string) => {
      const pre = sentTo(policy, path).filter((r) => r.method === 'OPTIONS');
      expect(pre.length, `${policy}: preflights the engine sent for ${path}`).toBe(1);
      expect(pre[0]!.headers, `${policy}: the preflight for ${path}`).toMatchObject({
        origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': headers,
      });
      expect(pre[0]!.headers.cookie, `${policy}: a preflight never carries cookies (Fetch: CORS-preflight request)`).toBeUndefined();
    };

    beforeAll(async () => {
      s = getStage();
      const targets = [...(['cred', 'plain', 'public', 'wild'] as const).map((policy) => [policy, s.sites[policy]] as const), ['upstream', s.upstream.port] as const];
      endpoints = Object.fromEntries(await Promise.all(targets.map(async ([key, port]) => [key, await endpointFor(name, port, s.tls)] as const))) as typeof endpoints;
      engine = await borrowEngine(name, direct(p(200, 'cookie-visit')));
      await engine.setCookie({ name: sid.split('=')[0]!, value: sid.split('=')[1]! }, direct(p(200, 'cookie-visit')));
      app = await engine.open(s.pages.origin(APP_HOST));
      evil = await engine.open(s.pages.origin(EVIL_HOST));
    }, 60_000);

    afterAll(async () => {
      if (endpoints) for (const e of Object.values(endpoints)) await e.forwarder.close();
      // The README's "verified in" table quotes this line.
      console.log(`browser: ${engine?.version ?? `${facts.label} (not started)`}, ${serverVersionText}: ${passed} checks passed`);
    });

    it('(a) an allowed origin’s simple GET is readable from JavaScript', async () => {
      const policies = ['cred', 'plain', 'public'] as const;
      const out = await run(app, policies.map((policy) => ({ url: url(policy, p(200, `a-${policy}`)) })));
      policies.forEach((policy, i) => {
        const path = p(200, `a-${policy}`);
        readable(out[i], 200, 'GET', path, `${policy}: GET from the allowed origin`);
        expect(s.upstream.count('GET', path)).toBe(1);
        expect(sentTo(policy, path).map((r) => r.method), 'a simple request, no preflight').toEqual(['GET']);
        expect(sentTo(policy, path)[0]?.headers.origin, 'the engine sent the page’s origin').toBe(app.origin);
        // credentials: 'same-origin' (fetch's default) sends no cookie to another origin.
        expect(s.upstream.to(path)[0]?.cookie, 'no cookie without credentials: include').toBeUndefined();
        passed++;
      });
    });

    it('(b) a disallowed origin gets a network error (though the upstream alone would let it read)', async () => {
      // Control: the upstream's own Access-Control-Allow-Origin: * lets any origin read it directly.
      const control = p(200, 'b-direct');
      const policies = ['cred', 'plain'] as const;
      const out = await run(evil, [
        { url: direct(control) },
        ...policies.flatMap((policy) => [{ url: url(policy, p(200, `b-${policy}`)) }, { url: url(policy, p(200, `b-${policy}-put`)), init: put({ [ALLOWED_HEADER]: '1' }) }]),
      ]);
      readable(out[0], 200, 'GET', control, 'control: the evil origin reads the upstream directly');
      for (const [i, policy] of policies.entries()) {
        const path = p(200, `b-${policy}`);
        refused(out[1 + 2 * i], `${policy}: GET from the disallowed origin`);
        // The simple request was forwarded (docs/contract.md §2); only the browser withholds the answer.
        expect(s.upstream.count('GET', path)).toBe(1);
        passed++;
        const putPath = p(200, `b-${policy}-put`);
        refused(out[2 + 2 * i], `${policy}: preflighted PUT from the disallowed origin`);
        expect(await preflightsAt(s.log, s.sites[policy], putPath), 'the refused preflight reached the server').toBe(1);
        preflightSent(policy, putPath, evil.origin, 'x-custom');
        expect(s.upstream.to(putPath), 'nothing of the refused PUT reaches the upstream').toEqual([]);
        passed++;
      }
    });

    it('(c) a preflighted PUT with an allowed custom header succeeds; the server answers the preflight itself', async () => {
      const policies = ['cred', 'plain', 'public'] as const;
      const out = await run(
        app,
        policies.map((policy) => ({
          url: url(policy, p(200, `c-${policy}`)),
          init: put({ [ALLOWED_HEADER]: `c-${policy}` }, policy === 'cred' ? { credentials: 'include' } : {}),
        })),
      );
      for (const [i, policy] of policies.entries()) {
        const path = p(200, `c-${policy}`);
        readable(out[i], 200, 'PUT', path, `${policy}: preflighted PUT`);
        expect(await preflightsAt(s.log, s.sites[policy], path), `${policy}: one preflight reached the server`).toBe(1);
        preflightSent(policy, path, app.origin, 'x-custom');
        expect(s.upstream.count('OPTIONS', path), `${policy}: no preflight reached the upstream`).toBe(0);
        const puts = s.upstream.to(path);
        expect(puts.map((r) => r.method)).toEqual(['PUT']);
        expect(puts[0]!.headers[ALLOWED_HEADER.toLowerCase()]).toBe(`c-${policy}`);
        // Cookies go with the credentialed PUT only.
        if (policy === 'cred') expect(puts[0]!.cookie ?? '', 'cred: the credentialed PUT carries the cookie').toContain(sid);
        else expect(puts[0]!.cookie, `${policy}: no cookie without credentials: 'include'`).toBeUndefined();
        passed++;
      }
    });

    it('(d) a request header not in allowHeaders is refused by the browser', async () => {
      const policies = ['cred', 'plain', 'public'] as const;
      const out = await run(app, policies.map((policy) => ({ url: url(policy, p(200, `d-${policy}`)), init: put({ [UNLISTED_HEADER]: '1' }) })));
      for (const [i, policy] of policies.entries()) {
        const path = p(200, `d-${policy}`);
        refused(out[i], `${policy}: PUT with ${UNLISTED_HEADER}`);
        expect(await preflightsAt(s.log, s.sites[policy], path), `${policy}: the preflight was sent and answered`).toBe(1);
        preflightSent(policy, path, app.origin, UNLISTED_HEADER.toLowerCase());
        expect(s.upstream.to(path), `${policy}: the PUT was never sent`).toEqual([]);
        passed++;
      }
    });

    it('(e) credentials: include with a cookie works with the credentialed policy, fails without credentials', async () => {
      const withCookie = p(200, 'e-cred');
      const omitted = p(200, 'e-cred-omit');
      const setter = `/status/200/${name}-e/${SET_COOKIE_LABEL}`;
      const after = p(200, 'e-cred-after');
      const plainGet = p(200, 'e-plain-GET');
      const plainPut = p(200, 'e-plain-PUT');
      const out = await run(app, [
        { url: url('cred', withCookie), init: { credentials: 'include' } },
        // Control: the cookie is there because of credentials: 'include', not regardless.
        { url: url('cred', omitted), init: { credentials: 'omit' } },
        // A cookie the upstream sets in a credentialed CORS response is kept and sent back.
        { url: url('cred', setter), init: { credentials: 'include' } },
        { url: url('cred', after), init: { credentials: 'include' } },
        // The policy without credentials: the cookie is sent, but the browser withholds the answer.
        { url: url('plain', plainGet), init: { credentials: 'include' } },
        { url: url('plain', plainPut), init: put({ [ALLOWED_HEADER]: '1' }, { credentials: 'include' }) },
      ]);
      readable(out[0], 200, 'GET', withCookie, 'cred: credentialed GET');
      expect(s.upstream.to(withCookie)[0]?.cookie ?? '', 'the cookie arrives at the upstream').toContain(sid);
      passed++;
      readable(out[1], 200, 'GET', omitted, 'cred: GET without credentials');
      expect(s.upstream.to(omitted)[0]?.cookie, 'no cookie without credentials').toBeUndefined();
      passed++;
      readable(out[2], 200, 'GET', setter, 'cred: credentialed GET that sets a cookie');
      readable(out[3], 200, 'GET', after, 'cred: the next credentialed GET');
      expect(s.upstream.to(after)[0]?.cookie ?? '').toContain(LATE_COOKIE);
      expect(s.upstream.to(setter)[0]?.cookie ?? '', 'the cookie was not there before it was set').not.toContain(LATE_COOKIE);
      passed++;
      refused(out[4], 'plain: credentialed GET');
      passed++;
      refused(out[5], 'plain: credentialed PUT');
      passed++;
      expect(s.upstream.to(plainGet)[0]?.cookie ?? '', 'the cookie was sent all the same').toContain(sid);
      preflightSent('plain', plainPut, app.origin, 'x-custom');
      expect(s.upstream.to(plainPut), 'the credentialed preflight failed, so no PUT').toEqual([]);
    });

    it('(f) origins "*" without credentials works from any origin', async () => {
      const pages = [
        ['allowed', app],
        ['other', evil],
      ] as const;
      for (const [label, page] of pages) {
        const path = p(200, `f-${label}`);
        const putPath = p(200, `f-${label}-put`);
        const out = await run(page, [{ url: url('public', path) }, { url: url('public', putPath), init: put({ [ALLOWED_HEADER]: '1' }) }]);
        readable(out[0], 200, 'GET', path, `public: GET from the ${label} origin`);
        passed++;
        readable(out[1], 200, 'PUT', putPath, `public: PUT from the ${label} origin`);
        preflightSent('public', putPath, page.origin, 'x-custom');
        expect(s.upstream.count('OPTIONS', putPath)).toBe(0);
        passed++;
      }
      // The answer is a literal "*", which a credentialed request may not use.
      const [o] = await run(app, [{ url: url('public', p(200, 'f-credentials')), init: { credentials: 'include' } }]);
      refused(o, 'public: credentialed GET');
      passed++;
    });

    it('(g) an exposed header is readable, an unexposed one (and the upstream’s own exposed one) is null', async () => {
      const read = [EXPOSED_HEADER, HIDDEN_HEADER, UPSTREAM_SECRET_HEADER];
      const policies = ['cred', 'plain', 'public'] as const;
      const out = await run(app, [
        // Control: straight from the upstream, its own Access-Control-Expose-Headers makes its header readable.
        { url: direct(p(200, 'g-direct')), read },
        ...policies.map((policy) => ({ url: url(policy, p(200, `g-${policy}`)), init: (policy === 'cred' ? { credentials: 'include' } : {}) as FetchInit, read })),
      ]);
      expect(out[0]).toMatchObject({ kind: 'response', headers: { [UPSTREAM_SECRET_HEADER]: 'upstream-secret', [HIDDEN_HEADER]: null } });
      for (const [i, policy] of policies.entries()) {
        const o = out[i + 1];
        readable(o, 200, 'GET', p(200, `g-${policy}`), `${policy}: GET`);
        expect(o?.kind === 'response' && o.headers, `${policy}: headers as JavaScript sees them`).toEqual({
          [EXPOSED_HEADER]: policy === 'public' ? null : EXPOSED_VALUE,
          [HIDDEN_HEADER]: null,
          [UPSTREAM_SECRET_HEADER]: null,
        });
        passed++;
      }
    });

    it('(h) an error from the upstream is readable from JavaScript, status and body', async () => {
      const cases = (['cred', 'plain', 'public'] as const).flatMap((policy) => [500, 404].map((status) => ({ policy, status, path: p(status, `h-${policy}`) })));
      const out = await run(
        app,
        cases.map((c) => ({ url: url(c.policy, c.path), init: (c.policy === 'cred' ? { credentials: 'include' } : {}) as FetchInit })),
      );
      for (const [i, c] of cases.entries()) {
        readable(out[i], c.status, 'GET', c.path, `${c.policy}: GET answered ${c.status}`);
        const cookie = s.upstream.to(c.path)[0]?.cookie;
        if (c.policy === 'cred') expect(cookie ?? '', 'cred: the cookie goes with the credentialed GET').toContain(sid);
        else expect(cookie, `${c.policy}: no cookie without credentials: include`).toBeUndefined();
        passed++;
      }
    });

    it('(i) the upstream’s own Access-Control-Allow-Origin: * does not break the credentialed policy', async () => {
      const path = p(200, 'i-cred');
      const putPath = p(200, 'i-cred-put');
      const out = await run(app, [
        // Control: straight from the upstream, "*" (with its own Allow-Credentials) fails a credentialed request.
        { url: direct(p(200, 'i-direct')), init: { credentials: 'include' } },
        { url: url('cred', path), init: { credentials: 'include' } },
        { url: url('cred', putPath), init: put({ [ALLOWED_HEADER]: '1' }, { credentials: 'include' }) },
      ]);
      refused(out[0], 'control: credentialed GET to the upstream');
      expect(s.upstream.to(p(200, 'i-direct'))[0]?.cookie ?? '', 'control: the cookie went to the upstream').toContain(sid);
      readable(out[1], 200, 'GET', path, 'cred: credentialed GET');
      passed++;
      readable(out[2], 200, 'PUT', putPath, 'cred: credentialed preflighted PUT');
      passed++;
    });

    it(`(j) with maxAge a repeated request sends no second preflight (without it, ${DEFAULT_PREFLIGHT_CACHE_MS / 1000} s later, it does)`, async () => {
      const path = p(200, 'j');
      const send = async () => {
        const policies = ['cred', 'plain'] as const;
        const out = await run(app, policies.map((policy) => ({ url: url(policy, path), init: put({ [ALLOWED_HEADER]: 'j' }) })));
        policies.forEach((policy, i) => readable(out[i], 200, 'PUT', path, `${policy}: PUT`));
      };
      await send();
      // Past the default cache time: only Access-Control-Max-Age can keep the first preflight.
      // (maxAge ${MAX_AGE} is within every engine's cap, ENGINE_FACTS.)
      await sleep(DEFAULT_PREFLIGHT_CACHE_MS + 1_000);
      await send();
      expect(MAX_AGE).toBeLessThanOrEqual(facts.preflightCacheCapSeconds);
      expect(await preflightsAt(s.log, s.sites.cred, path), `cred (maxAge ${MAX_AGE}): preflights that reached the server`).toBe(1);
      expect(sentTo('cred', path).filter((r) => r.method === 'OPTIONS').length, 'cred: preflights the engine sent').toBe(1);
      passed++;
      expect(await preflightsAt(s.log, s.sites.plain, path), 'plain (no maxAge): preflights that reached the server').toBe(2);
      expect(sentTo('plain', path).filter((r) => r.method === 'OPTIONS').length, 'plain: preflights the engine sent').toBe(2);
      passed++;
      expect(s.upstream.count('PUT', path)).toBe(4);
      expect(s.upstream.count('OPTIONS', path)).toBe(0);
    }, 30_000);

    const star = facts.starCoversAuthorization;
    it(`(k) allowHeaders "*" covers any custom header; Authorization ${star.covered ? `too in ${facts.label}, against` : 'not, as'} the Fetch standard says (${star.source})`, async () => {
      const custom = p(200, 'k-custom');
      const auth = p(200, 'k-authorization');
      const out = await run(app, [
        { url: url('wild', custom), init: put({ 'X-Anything': 'k' }) },
        { url: url('wild', auth), init: put({ Authorization: 'Bearer k' }) },
      ]);
      readable(out[0], 200, 'PUT', custom, 'wild: PUT with X-Anything');
      preflightSent('wild', custom, app.origin, 'x-anything');
      passed++;
      // The server answers this very preflight with a literal "*" (asked again from Node, no browser).
      expect(await preflightAnswer(s.sites.wild, auth, app.origin, 'authorization'), 'the server’s answer').toMatchObject({
        status: 204,
        'access-control-allow-headers': '*',
      });
      preflightSent('wild', auth, app.origin, 'authorization');
      if (star.covered) {
        readable(out[1], 200, 'PUT', auth, 'wild: PUT with Authorization');
        expect(s.upstream.to(auth)[0]?.headers.authorization, 'the PUT carried Authorization').toBe('Bearer k');
      } else {
        refused(out[1], 'wild: PUT with Authorization');
        expect(s.upstream.to(auth), 'the PUT with Authorization was never sent').toEqual([]);
      }
      passed++;
    });

    it(
      facts.loopbackHttpFromHttps.kind === 'allowed'
        ? '(l) the https page may call the server at http://127.0.0.1 (loopback is not mixed content)'
        : `(l) the https page may not call the server at http://127.0.0.1: ${facts.label} blocks it as mixed content (${facts.loopbackHttpFromHttps.source})`,
      async () => {
        const path = p(200, 'l-http');
        const [o] = await run(app, [{ url: `http://127.0.0.1:${s.sites.plain}${path}` }]);
        const reached = (await settledLog(s.log, s.sites.plain)).filter((l) => l.path === path).length;
        if (facts.loopbackHttpFromHttps.kind === 'allowed') {
          readable(o, 200, 'GET', path, 'plain: GET over http from the https page');
          expect(reached, 'the GET reached the server').toBe(1);
        } else {
          refused(o, 'plain: GET over http from the https page');
          expect(reached, 'nothing reached the server').toBe(0);
        }
        passed++;
      },
    );

    it('the forwarders could read every request the engine sent', () => {
      for (const e of Object.values(endpoints)) expect(e.forwarder.unparsed).toEqual([]);
    });
  });
}
