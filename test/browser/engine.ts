// One interface over the three browser engines the suite drives (Debian's binaries only, never a
// downloaded browser or driver): Chromium (playwright-core over CDP, browser.ts), Firefox ESR
// (puppeteer-core over WebDriver BiDi, firefox.ts) and WebKitGTK (selenium-webdriver against
// WebKitWebDriver + MiniBrowser under Xvfb, webkit.ts). A check opens a page on an origin and runs a
// batch of fetches in it (one round trip from Node per batch; the fetches run one after another in
// the page, in order).
import type { FetchInit, FetchOutcome } from './browser.js';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export interface PageFetch {
  url: string;
  init?: FetchInit;
  /** Response headers to read with `response.headers.get` (null when the browser hides them). */
  read?: string[];
}

export interface EnginePage {
  origin: string;
  /** The fetches, one after another in the page; an outcome per fetch, in order. */
  run(fetches: PageFetch[]): Promise<FetchOutcome[]>;
}

/** A cookie for host 127.0.0.1 (every port), Secure, SameSite=None, Path=/. */
export interface LoopbackCookie {
  name: string;
  value: string;
}

export interface Engine {
  name: EngineName;
  /** "Chromium 156.0.8078.79", "Firefox 153.8.0esr", "WebKitGTK 2.50.6" */
  version: string;
  /** A page showing the test page of `origin` (checked: self.origin is `origin`). */
  open(origin: string): Promise<EnginePage>;
  /**
   * Puts a cookie for 127.0.0.1 in the browser's jar. `visit` is an https URL on 127.0.0.1 the
   * engine may load first (WebDriver classic can only add a cookie for the page it shows).
   */
  setCookie(cookie: LoopbackCookie, visit: string): Promise<void>;
  /**
   * The HTTP authentication challenges the engine raised for a URL containing AUTH_CHALLENGE_PATH
   * (where it would ask the user for a password), each cancelled by the driver's hook so that the
   * page gets the 401 itself: Chromium's Fetch.authRequired (CDP), Firefox's network.authRequired
   * (WebDriver BiDi). WebKitGTK's WebDriver has no such hook; it never prompts for a fetch
   * (engine-facts.ts), so it counts none.
   */
  authChallenges(): number;
  /** Empties the cookie jar (`visit`: as for setCookie), so that a case shares no cookie with the one before. */
  clearCookies(visit: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The in-page part of `EnginePage.run`, as JavaScript source (not a transpiled function, so that
 * every driver sends the same text): each fetch reads the body and the headers asked for; one that
 * takes more than 10 s is an error of its own kind (TimeoutError), never taken for a CORS refusal.
 * The default cache mode stays: Chromium skips its preflight cache for `cache: 'no-store'` (the test
 * upstream sends Cache-Control: no-store instead).
 */
/** The path segment of the URLs whose authentication challenges the engines' hooks cancel. */
export const AUTH_CHALLENGE_PATH = '/auth-challenge/';

export const RUN_FETCHES = `async (fetches) => {
  const out = [];
  for (const f of fetches) {
    try {
      const r = await fetch(f.url, Object.assign({}, f.init || {}, { signal: AbortSignal.timeout(10000) }));
      const body = await r.text();
      const headers = {};
      for (const h of f.read || []) headers[h] = r.headers.get(h);
      out.push({ kind: 'response', status: r.status, body, headers, url: r.url });
    } catch (e) {
      out.push({ kind: 'error', error: String(e && e.name) + ': ' + String(e && e.message) });
    }
  }
  return out;
}`;

/** The page server's test page has no script of its own; this is what `open` checks it loaded. */
export const ORIGIN_PROBE = 'self.origin';
