// Debian's Chromium (browser.ts launches it) behind the engine interface of engine.ts.
import { launchChromium } from './browser.js';
import type { FetchOutcome } from './browser.js';
import { RUN_FETCHES, type Engine } from './engine.js';

export async function chromiumEngine(profileDir: string): Promise<Engine> {
  const browser = await launchChromium(profileDir);
  return {
    name: 'chromium',
    version: browser.version,
    open: async (origin) => {
      const page = await browser.open(origin);
      return {
        origin,
        run: (fetches) => page.evaluate(`(${RUN_FETCHES})(${JSON.stringify(fetches)})`) as Promise<FetchOutcome[]>,
      };
    },
    setCookie: ({ name, value }) =>
      browser.context.addCookies([{ name, value, domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' }]),
    close: () => browser.close(),
  };
}
