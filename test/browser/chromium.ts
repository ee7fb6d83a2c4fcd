// Debian's Chromium (browser.ts launches it) behind the engine interface of engine.ts.
import { launchChromium } from './browser.js';
import type { FetchOutcome } from './browser.js';
import { AUTH_CHALLENGE_PATH, RUN_FETCHES, type Engine } from './engine.js';

export async function chromiumEngine(profileDir: string): Promise<Engine> {
  const browser = await launchChromium(profileDir);
  let challenges = 0;
  return {
    name: 'chromium',
    version: browser.version,
    open: async (origin) => {
      const page = await browser.open(origin);
      // Chromium asks for a password on a 401 with WWW-Authenticate even for a CORS fetch
      // (engine-facts.ts). Only the URLs meant to be challenged are intercepted (each let through at
      // once); their challenge is cancelled, so the page gets the 401 itself.
      const cdp = await browser.context.newCDPSession(page);
      cdp.on('Fetch.requestPaused', (e) => void cdp.send('Fetch.continueRequest', { requestId: e.requestId }).catch(() => undefined));
      cdp.on('Fetch.authRequired', (e) => {
        challenges++;
        void cdp.send('Fetch.continueWithAuth', { requestId: e.requestId, authChallengeResponse: { response: 'CancelAuth' } }).catch(() => undefined);
      });
      await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: `*${AUTH_CHALLENGE_PATH}*` }] });
      return {
        origin,
        run: (fetches) => page.evaluate(`(${RUN_FETCHES})(${JSON.stringify(fetches)})`) as Promise<FetchOutcome[]>,
      };
    },
    setCookie: ({ name, value }) =>
      browser.context.addCookies([{ name, value, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' }]),
    authChallenges: () => challenges,
    clearCookies: () => browser.context.clearCookies(),
    close: () => browser.close(),
  };
}
