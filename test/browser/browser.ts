// Debian's Chromium, driven by playwright-core. playwright-core never downloads a browser; this file
// refuses to run without /usr/bin/chromium (the suite fails, it never skips), keeps the browser off
// the network and gives it a new empty profile that allows third-party cookies.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PAGE_HOSTS } from './page-server.js';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The test pages' certificate is self-signed.
  '--ignore-certificate-errors',
  // The page hosts resolve to the loopback page server; every other name fails to resolve, so
  // nothing leaves the machine. 127.0.0.1 (the servers under test) is an address, left alone.
  `--host-resolver-rules=EXCLUDE 127.0.0.1, ${PAGE_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}, MAP * ~NOTFOUND`,
];

export interface TestBrowser {
  context: BrowserContext;
  /** "Chromium 156.0.8078.79" */
  version: string;
  /** A new tab showing the test page of `origin`. */
  open(origin: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Chromium with a new profile in `profileDir` (which must not exist yet). Chromium 156 blocks
 * third-party cookies by default even in a new profile; the profile's preference
 * `profile.cookie_controls_mode: 0` allows them, as a user who turned the block off would.
 */
export async function launchChromium(profileDir: string): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: the browser suite needs Debian's Chromium (apt-get install -y chromium; .ci/run installs it). It never skips.`,
    );
  }
  mkdirSync(join(profileDir, 'Default'), { recursive: true });
  writeFileSync(join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  const version = `Chromium ${context.browser()?.version() ?? 'unknown'}`;
  const open = async (origin: string) => {
    const page = await context.newPage();
    // No dialog (e.g. a login prompt) may ever hold a test up.
    page.on('dialog', (d) => void d.dismiss());
    const res = await page.goto(`${origin}/`);
    if (!res?.ok()) throw new Error(`the test page ${origin}/ did not load: ${res?.status()}`);
    const actual = await page.evaluate(() => self.origin);
    if (actual !== origin) throw new Error(`the test page has the origin ${actual}, not ${origin}`);
    return page;
  };
  return { context, version, open, close: () => context.close() };
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  credentials?: 'omit' | 'same-origin' | 'include';
  /** 'no-cors': an opaque response (status 0, no body), no CORS check at all. */
  mode?: 'cors' | 'no-cors';
}

/** What a page's fetch() gave: a response JavaScript can read, or the error it threw. */
export type FetchOutcome =
  | { kind: 'response'; status: number; body: string; headers: Record<string, string | null>; url?: string }
  | { kind: 'error'; error: string };

/**
 * fetch(url, init) from the page, reading the body and the response headers named in `read`
 * (as `response.headers.get` sees them: null when the browser hides them). The fetch keeps the
 * default cache mode: Chromium skips its preflight cache for `cache: 'no-store'` (the test upstream
 * sends Cache-Control: no-store instead). A fetch that takes more than 10 s is an error of its own
 * kind (TimeoutError), never taken for a CORS refusal.
 */
export function pageFetch(page: Page, url: string, init: FetchInit = {}, read: string[] = []): Promise<FetchOutcome> {
  return page.evaluate(
    async ({ url, init, read }) => {
      try {
        const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
        const body = await r.text();
        const headers: Record<string, string | null> = {};
        for (const h of read) headers[h] = r.headers.get(h);
        return { kind: 'response' as const, status: r.status, body, headers };
      } catch (e) {
        return { kind: 'error' as const, error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    { url, init, read },
  );
}

/** The error a browser gives JavaScript for a CORS failure (a network error, nothing to read). */
export const CORS_NETWORK_ERROR = /^TypeError: Failed to fetch$/;
