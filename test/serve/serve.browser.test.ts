// cors-gen serve judged by the browser (issue 11): Debian's Chromium on real https origins calls serve
// (a child process) in front of the browser suite's upstream, and the test reads what JavaScript on
// the page can read. serve decides with the reference evaluator; these verdicts are the browser's own.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_NETWORK_ERROR, launchChromium, pageFetch, type FetchOutcome, type TestBrowser } from '../browser/browser.js';
import { APP_HOST, EVIL_HOST, startPageServer, type PageServer } from '../browser/page-server.js';
import { EXPOSED_HEADER, EXPOSED_VALUE, HIDDEN_HEADER, LATE_COOKIE, SET_COOKIE_LABEL, startBrowserUpstream, UPSTREAM_SECRET_HEADER, type BrowserUpstream } from '../browser/upstream.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir } from '../harness/process.js';
import { startServe, type ServeProcess } from './serve-process.js';

describe('cors-gen serve, called by Chromium', () => {
  let dir = '';
  let profileDir = '';
  let pages: PageServer | undefined;
  let upstream: BrowserUpstream | undefined;
  let browser: TestBrowser | undefined;
  let app: Page;
  let evil: Page;
  const serves: Record<'cred' | 'plain' | 'down', ServeProcess | undefined> = { cred: undefined, plain: undefined, down: undefined };
  const sid = `sid=${Math.random().toString(36).slice(2)}`;

  const url = (policy: 'cred' | 'plain' | 'down', path: string) => `${serves[policy]!.url}${path}`;
  const readable = (o: FetchOutcome, status: number, method: string, path: string, what: string) =>
    expect(o, what).toMatchObject({ kind: 'response', status, body: `upstream ${status} ${method} ${path}\n` });
  const refused = (o: FetchOutcome, what: string) => {
    expect(o.kind, `${what}: ${JSON.stringify(o)}`).toBe('error');
    expect(o.kind === 'error' ? o.error : '', what).toMatch(CORS_NETWORK_ERROR);
  };

  beforeAll(async () => {
    dir = makeTempDir('serve-browser');
    profileDir = join(makeTempDir('chromium-profile'), 'profile');
    pages = await startPageServer(dir);
    upstream = await startBrowserUpstream();
    const origin = pages.origin(APP_HOST);
    const file = join(dir, 'policy.yaml');
    writeFileSync(
      file,
      `version: 1
policies:
  cred:
    origins: [${origin}]
    methods: [GET, PUT]
    allowHeaders: [X-Custom]
    exposeHeaders: [${EXPOSED_HEADER}]
    credentials: true
  plain:
    origins: [${origin}]
    methods: [GET, PUT]
    allowHeaders: [X-Custom]
    exposeHeaders: [${EXPOSED_HEADER}]
`,
    );
    const up = `http://127.0.0.1:${upstream.port}/`;
    serves.cred = await startServe([file, '--policy', 'cred', '--listen', '127.0.0.1:0', '--upstream', up]);
    serves.plain = await startServe([file, '--policy', 'plain', '--listen', '127.0.0.1:0', '--upstream', up]);
    const [closed] = await freePorts(1);
    serves.down = await startServe([file, '--policy', 'cred', '--listen', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${closed}/`]);
    browser = await launchChromium(profileDir);
    await browser.context.addCookies([{ name: sid.split('=')[0]!, value: sid.split('=')[1]!, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' }]);
    app = await browser.open(origin);
    evil = await browser.open(pages.origin(EVIL_HOST));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of Object.values(serves)) await s?.stop();
    await upstream?.close();
    await pages?.close();
    if (dir) removeDir(dir);
    if (profileDir) removeDir(join(profileDir, '..'));
  });

  it('an allowed origin reads GETs, errors included; a disallowed origin gets a network error', async () => {
    for (const policy of ['cred', 'plain'] as const) {
      for (const status of [200, 500]) {
        const path = `/status/${status}/a-${policy}`;
        readable(await pageFetch(app, url(policy, path)), status, 'GET', path, `${policy}: GET ${status}`);
      }
      refused(await pageFetch(evil, url(policy, `/status/200/a-evil-${policy}`)), `${policy}: GET from the disallowed origin`);
    }
  });

  it('a preflighted PUT with an allowed header succeeds, serve answering the preflight; an unlisted header is refused', async () => {
    for (const policy of ['cred', 'plain'] as const) {
      const path = `/status/200/b-${policy}`;
      readable(await pageFetch(app, url(policy, path), { method: 'PUT', headers: { 'X-Custom': '1' } }), 200, 'PUT', path, `${policy}: PUT`);
      expect(upstream!.count('OPTIONS', path)).toBe(0);
      const preflight = `OPTIONS ${path} origin=${pages!.origin(APP_HOST)} preflight-allowed 204`;
      expect(await serves[policy]!.waitForRequestLine((l) => l === preflight)).toBe(preflight);
      const bad = `/status/200/b-bad-${policy}`;
      refused(await pageFetch(app, url(policy, bad), { method: 'PUT', headers: { 'X-Not-Allowed': '1' } }), `${policy}: PUT with an unlisted header`);
      expect(upstream!.to(bad)).toEqual([]);
    }
  });

  it('credentials: the cookie reaches the upstream only through the credentialed policy; the upstream’s cookie is kept', async () => {
    const path = '/status/200/c-cred';
    readable(await pageFetch(app, url('cred', path), { credentials: 'include' }), 200, 'GET', path, 'cred: credentialed GET');
    expect(upstream!.to(path)[0]?.cookie ?? '').toContain(sid);
    const plain = '/status/200/c-plain';
    refused(await pageFetch(app, url('plain', plain), { credentials: 'include' }), 'plain: credentialed GET');
    // The browser sent the cookie; serve did not pass it on (credentials: false).
    expect(upstream!.to(plain)[0]?.cookie).toBeUndefined();
    const setter = `/status/200/${SET_COOKIE_LABEL}`;
    readable(await pageFetch(app, url('cred', setter), { credentials: 'include' }), 200, 'GET', setter, 'cred: a GET that sets a cookie');
    const after = '/status/200/c-after';
    readable(await pageFetch(app, url('cred', after), { credentials: 'include' }), 200, 'GET', after, 'cred: the next credentialed GET');
    expect(upstream!.to(after)[0]?.cookie ?? '').toContain(LATE_COOKIE);
  });

  it('only the policy’s exposed header is readable (not the upstream’s own)', async () => {
    const o = await pageFetch(app, url('plain', '/status/200/d'), {}, [EXPOSED_HEADER, HIDDEN_HEADER, UPSTREAM_SECRET_HEADER]);
    expect(o.kind === 'response' && o.headers).toEqual({ [EXPOSED_HEADER]: EXPOSED_VALUE, [HIDDEN_HEADER]: null, [UPSTREAM_SECRET_HEADER]: null });
  });

  it('with the upstream down, the page reads serve’s 502', async () => {
    const o = await pageFetch(app, url('down', '/status/200/e'), { credentials: 'include' });
    expect(o).toMatchObject({ kind: 'response', status: 502, body: 'Bad gateway: the upstream refused the connection.\n' });
    refused(await pageFetch(evil, url('down', '/status/200/e-evil')), 'the 502 from a disallowed origin');
  });
});
