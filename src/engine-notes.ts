// Where browser engines differ for one request, for `cors-gen explain`. The verdict explain gives is
// the Fetch standard's; these notes say where an engine does otherwise or adds a limit of its own.
// Each fact is checked by the browser suite in that engine (test/browser/engine-facts.ts) or names
// its source.
import type { BrowserRequest } from './model/browser.js';
import type { Policy } from './model/types.js';

interface EngineCap {
  engine: string;
  seconds: number;
  source: string;
}

/** Access-Control-Max-Age caps, lowest first. */
export const PREFLIGHT_CACHE_CAPS: readonly EngineCap[] = [
  { engine: 'WebKit (Safari)', seconds: 600, source: 'WebKit Source/WebCore/loader/CrossOriginPreflightResultCache.cpp' },
  { engine: 'Chromium (Chrome, Edge)', seconds: 7200, source: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age' },
  { engine: 'Firefox', seconds: 86400, source: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age' },
];

const duration = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

export interface EngineNoteInput {
  policy: Policy;
  req: BrowserRequest;
  /** Whether the browser sends a preflight, and whether the Fetch checks accept it. */
  preflight: { sent: boolean; accepted: boolean; allowHeaders: string | undefined };
  accepted: boolean;
}

export function engineNotes(i: EngineNoteInput): string[] {
  const notes: string[] = [];
  const maxAge = i.policy.maxAge;
  if (i.preflight.sent && i.preflight.accepted && maxAge !== null) {
    const capped = PREFLIGHT_CACHE_CAPS.filter((c) => maxAge > c.seconds);
    for (const c of capped) {
      notes.push(`${c.engine} keeps a preflight at most ${c.seconds} s: with maxAge ${maxAge} it asks again after ${duration(c.seconds)} (${c.source}).`);
    }
  }
  const authorization = i.req.headers.some((h) => h.name.toLowerCase() === 'authorization');
  const allowed = (i.preflight.allowHeaders ?? '').split(',').map((v) => v.trim().toLowerCase());
  if (i.preflight.sent && authorization && allowed.includes('*') && !allowed.includes('authorization') && !i.req.credentials) {
    notes.push(
      'The Fetch standard does not let * in Access-Control-Allow-Headers cover Authorization (the verdict above), but Chromium 156, Firefox ESR 153 and WebKitGTK 2.50 still let it through (verified by the browser suite; https://chromestatus.com/feature/5742041264816128, https://bugzilla.mozilla.org/show_bug.cgi?id=1687364): list Authorization by name to work in every browser, now and later.',
    );
  }
  if (i.req.credentials && i.accepted) {
    notes.push(
      'Cookies go with this request only where the browser allows third-party cookies when the page and the server are different sites: Firefox partitions them by default (https://developer.mozilla.org/docs/Web/Privacy/Guides/State_Partitioning), Safari blocks them (https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/) and so does Chromium 156 in a new profile.',
    );
  }
  if (!i.accepted) {
    notes.push('The page sees only a TypeError, worded by each engine: "Failed to fetch" (Chromium), "NetworkError when attempting to fetch resource." (Firefox), "Load failed" (WebKit).');
  }
  return notes.length === 0 ? [] : ['Where browsers differ:', ...notes.map((n) => `  - ${n}`)];
}
