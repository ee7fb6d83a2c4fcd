// Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi (no geckodriver; puppeteer-core
// never downloads a browser). Refuses to run without /usr/bin/firefox-esr (the suite fails, it never
// skips). Facts behind the preferences: docs/browsers.md.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { FetchOutcome } from './browser.js';
import { AUTH_CHALLENGE_PATH, ORIGIN_PROBE, RUN_FETCHES, type Engine } from './engine.js';

interface BidiConnection {
  send(method: 'network.addIntercept', params: { phases: ['authRequired'] }): Promise<unknown>;
  on(event: 'network.authRequired', handler: (e: { isBlocked: boolean; request: { url: string } }) => void): void;
}

export const FIREFOX = '/usr/bin/firefox-esr';

const PREFS: Record<string, unknown> = {
  // Every host name resolves to 127.0.0.1 (the page server for the page hosts); nothing leaves the
  // machine. Firefox has no per-name map like Chromium's --host-resolver-rules.
  'network.dns.forceResolve': '127.0.0.1',
  'network.dns.disableIPv6': true,
  // Firefox partitions third-party cookies by default (Total Cookie Protection): a cookie of
  // 127.0.0.1 would never go with a request from another site's page. 0 = accept all cookies, as a
  // user who turned the protection off would (Chromium's profile does the same, browser.ts).
  'network.cookie.cookieBehavior': 0,
  // No telemetry, captive-portal or connectivity probes while the suite runs.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

export async function firefoxEngine(): Promise<Engine> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`${FIREFOX} not found: the browser suite needs Debian's Firefox ESR (apt-get install -y firefox-esr; .ci/run installs it). It never skips.`);
  }
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: true,
    extraPrefsFirefox: PREFS,
    timeout: 30_000,
  });
  // Firefox asks for a password on a 401 with WWW-Authenticate even for a CORS fetch (engine-facts.ts);
  // unanswered, the prompt ends a headless session. An intercept in BiDi's authRequired phase blocks
  // each challenge, and puppeteer-core cancels every blocked one that no page.authenticate()
  // credentials answer (bidi/HTTPRequest.js), so the page gets the 401 itself. The connection is
  // puppeteer-core's own (Browser.connection, not in its typings), subscribed to the network events.
  const bidi = (browser as unknown as { connection: BidiConnection }).connection;
  await bidi.send('network.addIntercept', { phases: ['authRequired'] });
  let challenges = 0;
  bidi.on('network.authRequired', (e) => {
    if (e.isBlocked && e.request.url.includes(AUTH_CHALLENGE_PATH)) challenges++;
  });
  const version = `Firefox ESR ${(await browser.version()).replace(/^firefox\//i, '')}`;
  return {
    name: 'firefox',
    version,
    open: async (origin) => {
      const page = await browser.newPage();
      // No dialog (e.g. a login prompt) may ever hold a test up.
      page.on('dialog', (d) => void d.dismiss());
      const res = await page.goto(`${origin}/`);
      if (!res?.ok()) throw new Error(`the test page ${origin}/ did not load in Firefox: ${res?.status()}`);
      const actual = await page.evaluate(ORIGIN_PROBE);
      if (actual !== origin) throw new Error(`the test page has the origin ${String(actual)}, not ${origin}`);
      return { origin, run: (fetches) => page.evaluate(`(${RUN_FETCHES})(${JSON.stringify(fetches)})`) as Promise<FetchOutcome[]> };
    },
    setCookie: ({ name, value }) => browser.setCookie({ name, value, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' }),
    authChallenges: () => challenges,
    clearCookies: async () => {
      const all = await browser.cookies();
      if (all.length > 0) await browser.deleteCookie(...all);
    },
    close: () => browser.close(),
  };
}
