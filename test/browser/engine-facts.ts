// What each engine does where engines legitimately differ, with the source for each: a check that
// meets a difference asserts the engine's own expectation from here, never skips. The same facts
// (caps, mixed content) are what `cors-gen explain` tells users (src/engine-notes.ts).
import type { EngineName } from './engine.js';

export interface EngineFacts {
  /** "Chromium", "Firefox ESR", "WebKitGTK": the name in test titles and the README table. */
  label: string;
  /** The only thing JavaScript learns of a CORS failure: a network error with this text. */
  corsError: RegExp;
  /**
   * Whether an https page may fetch http://127.0.0.1 (a loopback address is "potentially
   * trustworthy", so not mixed content, in the Mixed Content spec). Where blocked, the suite reaches
   * the servers under test over https through forwarder.ts.
   */
  loopbackHttpFromHttps: { kind: 'allowed' } | { kind: 'blocked'; source: string };
  /** Access-Control-Max-Age above this is cut to it. */
  preflightCacheCapSeconds: number;
  capSource: string;
  /**
   * Whether `Access-Control-Allow-Headers: *` lets a request with Authorization through. The Fetch
   * standard says it must not (https://fetch.spec.whatwg.org/#cors-preflight-fetch-0); no engine here
   * enforces that yet.
   */
  starCoversAuthorization: { covered: boolean; source: string };
  /**
   * Whether a credentialed CORS fetch answered 401 with `WWW-Authenticate: Basic` makes the engine
   * ask the user for a password. The Fetch standard says never for a CORS request (HTTP-network-or-
   * cache fetch: the prompt needs a response tainting other than "cors",
   * https://fetch.spec.whatwg.org/#http-network-or-cache-fetch); either way the page must get the
   * 401 with the CORS headers (docs/contract.md §2), which the suite checks once the driver's hook
   * has cancelled any prompt (engine.ts, authChallenges).
   */
  authPromptOnCors401: { prompts: boolean; source: string };
}

const MIXED_CONTENT = 'https://w3c.github.io/webappsec-mixed-content/#a-priori-authenticated-url (loopback is potentially trustworthy)';

export const ENGINE_FACTS: Record<EngineName, EngineFacts> = {
  chromium: {
    label: 'Chromium',
    corsError: /^TypeError: Failed to fetch$/,
    loopbackHttpFromHttps: { kind: 'allowed' },
    preflightCacheCapSeconds: 7200,
    capSource: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age (Chromium 76+: 2 hours)',
    starCoversAuthorization: {
      covered: true,
      source: 'https://chromestatus.com/feature/5742041264816128 (not shipped: a console deprecation warning only)',
    },
    authPromptOnCors401: {
      prompts: true,
      source: 'observed in Chromium 156 by this suite (proxy case: CDP Fetch.authRequired for the cross-origin credentialed fetch)',
    },
  },
  firefox: {
    label: 'Firefox ESR',
    corsError: /^TypeError: NetworkError when attempting to fetch resource\.$/,
    loopbackHttpFromHttps: { kind: 'allowed' },
    preflightCacheCapSeconds: 86400,
    capSource: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age (Firefox: 24 hours)',
    starCoversAuthorization: {
      covered: true,
      source: 'https://bugzilla.mozilla.org/show_bug.cgi?id=1687364 (the Fetch rule exists behind a preference, off by default)',
    },
    authPromptOnCors401: {
      prompts: true,
      source: 'observed in Firefox ESR 153 by this suite (proxy case: BiDi network.authRequired; unanswered, the prompt ends a headless session; docs/browsers.md)',
    },
  },
  webkit: {
    label: 'WebKitGTK',
    corsError: /^TypeError: Load failed$/,
    loopbackHttpFromHttps: {
      kind: 'blocked',
      source: `https://bugs.webkit.org/show_bug.cgi?id=171934 (WebKit blocks http://localhost and loopback from secure pages, unlike ${MIXED_CONTENT})`,
    },
    preflightCacheCapSeconds: 600,
    capSource: 'WebKit Source/WebCore/loader/CrossOriginPreflightResultCache.cpp (maxPreflightCacheTimeout = 600 s)',
    starCoversAuthorization: { covered: true, source: 'observed in WebKitGTK 2.50.6 by this suite (check k)' },
    authPromptOnCors401: {
      prompts: false,
      source: 'observed in WebKitGTK 2.50.6 by this suite (proxy case: the page reads the 401 at once, no dialog under WebDriver), as the Fetch standard says',
    },
  },
};
