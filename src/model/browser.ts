// What a browser does with a response: the Fetch standard's CORS check (§4.10 "CORS check") and the
// checks of a CORS-preflight fetch (§4.9: ok status, method and header checks). Used by `explain`
// to say whether a response would be accepted and, if not, which check fails.

import { SAFELISTED_CONTENT_TYPES, SAFELISTED_HEADER_NAMES, SAFELISTED_METHODS, TOKEN } from './fetch.js';

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface BrowserRequest {
  origin: string;
  method: string;
  /** Request headers a script sets, with values where known. */
  headers: { name: string; value?: string }[];
  credentials: boolean;
}

/** Fetch "CORS-safelisted request-header" (names and the value rules that matter in practice). */
export function isSafelistedHeader(h: { name: string; value?: string }): boolean {
  const name = h.name.toLowerCase();
  if (SAFELISTED_HEADER_NAMES.has(name)) return true;
  if (name === 'content-type') {
    const essence = h.value?.split(';')[0]?.trim().toLowerCase();
    return essence !== undefined && SAFELISTED_CONTENT_TYPES.has(essence);
  }
  return false;
}

/** The names a preflight lists in Access-Control-Request-Headers: unsafe, lowercased, sorted. */
export function unsafeHeaderNames(req: BrowserRequest): string[] {
  return [...new Set(req.headers.filter((h) => !isSafelistedHeader(h)).map((h) => h.name.toLowerCase()))].sort();
}

export function needsPreflight(req: BrowserRequest): boolean {
  return !SAFELISTED_METHODS.has(req.method) || unsafeHeaderNames(req).length > 0;
}

type Headers = Readonly<Record<string, string | undefined>>;

/** Fetch: extract header list values — `*` or tokens separated by commas. */
function listValues(value: string | undefined): string[] | null {
  if (value === undefined) return [];
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  return parts.every((p) => TOKEN.test(p)) ? parts : null;
}

/** Fetch "CORS check", on a preflight or an actual response. */
export function corsCheck(headers: Headers, req: Pick<BrowserRequest, 'origin' | 'credentials'>): Verdict {
  const acao = headers['Access-Control-Allow-Origin'];
  if (acao === undefined) return { ok: false, reason: 'the response has no Access-Control-Allow-Origin header' };
  if (!req.credentials && acao === '*') return { ok: true };
  if (acao !== req.origin) {
    return {
      ok: false,
      reason:
        acao === '*'
          ? 'Access-Control-Allow-Origin is * but the request carries credentials'
          : `Access-Control-Allow-Origin ${JSON.stringify(acao)} is not the page's origin ${JSON.stringify(req.origin)}`,
    };
  }
  if (!req.credentials) return { ok: true };
  if (headers['Access-Control-Allow-Credentials'] === 'true') return { ok: true };
  return { ok: false, reason: 'the request carries credentials but Access-Control-Allow-Credentials is not "true"' };
}

/** The checks of a CORS-preflight fetch after the CORS check: ok status, method, headers. */
export function preflightCheck(status: number, headers: Headers, req: BrowserRequest): Verdict {
  const cors = corsCheck(headers, req);
  if (!cors.ok) return cors;
  if (status < 200 || status > 299) return { ok: false, reason: `the preflight was answered ${status}, not an ok (2xx) status` };
  const methods = listValues(headers['Access-Control-Allow-Methods']);
  if (methods === null) return { ok: false, reason: 'Access-Control-Allow-Methods holds something that is not a method token' };
  const allowed = listValues(headers['Access-Control-Allow-Headers']);
  if (allowed === null) return { ok: false, reason: 'Access-Control-Allow-Headers holds something that is not a header name' };
  const methodOk = methods.includes(req.method) || SAFELISTED_METHODS.has(req.method) || (!req.credentials && methods.includes('*'));
  if (!methodOk) return { ok: false, reason: `method ${req.method} is not in Access-Control-Allow-Methods (${methods.join(', ') || 'absent'}); methods compare case-sensitively` };
  const lowerAllowed = allowed.map((a) => a.toLowerCase());
  for (const name of unsafeHeaderNames(req)) {
    if (lowerAllowed.includes(name)) continue;
    if (name !== 'authorization' && !req.credentials && lowerAllowed.includes('*')) continue;
    return {
      ok: false,
      reason:
        name === 'authorization' && lowerAllowed.includes('*')
          ? 'Authorization is not covered by * in Access-Control-Allow-Headers; it must be listed by name'
          : `header ${name} is not in Access-Control-Allow-Headers (${allowed.join(', ') || 'absent'})`,
    };
  }
  return { ok: true };
}
