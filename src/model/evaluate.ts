// The reference evaluator: for a policy and a request, the response docs/contract.md §2 demands.
// Every real-server test compares what nginx, Apache and Caddy answer with this, so the three
// targets cannot drift apart. It interprets the model directly (origin entries by their meaning,
// not through the regexes the targets use), so a wrong regex in a template shows up as a mismatch.
import { patternMatches } from './origin.js';
import { regexTest } from './regex-engine.js';
import type { CorsResponseHeader, ListHeader, OriginMatcher, Policy } from './types.js';

export interface CorsRequest {
  method: string;
  /** Request headers by lower-case name; only the CORS-relevant ones are read. */
  headers: Readonly<Record<string, string | undefined>>;
}

export type RequestKind = 'preflight' | 'actual';

export type Outcome =
  | 'preflight-allowed'
  | 'preflight-refused'
  | 'actual-allowed'
  | 'actual-refused'
  | 'actual-without-origin';

export interface ExpectedResponse {
  kind: RequestKind;
  outcome: Outcome;
  /** Whether the request reaches the application behind the server. */
  forwarded: boolean;
  /** The status the server itself answers with, or 'upstream' when the application's status passes through. */
  status: 204 | 403 | 'upstream';
  /** Exactly the Access-Control-* headers of the response, each once; all others absent. */
  headers: Partial<Record<CorsResponseHeader, string>>;
  /** Whether `Vary` must list `Origin` (beside whatever the application sent). */
  varyOrigin: true;
  /** The origin entry that accepted the request's Origin, if one did (undefined for `origins: "*"`). */
  matched?: OriginMatcher;
}

/** `name` is lower-case already (every caller passes a literal): no case folding per request. */
const header = (req: CorsRequest, name: Lowercase<string>): string | undefined => req.headers[name];

/** Contract §2: a preflight is OPTIONS + Origin + a non-empty Access-Control-Request-Method. */
export function isPreflight(req: CorsRequest): boolean {
  return req.method === 'OPTIONS' && !!header(req, 'origin') && !!header(req, 'access-control-request-method');
}

export type OriginDecision = { allowed: false } | { allowed: true; matched?: OriginMatcher };

export function matchOrigin(policy: Policy, origin: string): OriginDecision {
  if (policy.origins.kind === 'any') return { allowed: true };
  for (const m of policy.origins.matchers) {
    if (matcherAccepts(m, origin)) return { allowed: true, matched: m };
  }
  return { allowed: false };
}

export function matcherAccepts(m: OriginMatcher, origin: string): boolean {
  switch (m.kind) {
    case 'exact':
      return m.origin === origin;
    case 'pattern':
      return patternMatches(m, origin);
    case 'regex':
      return regexTest(m.source, origin);
  }
}

/** The value of a list header, or undefined when it has no element (the header is then omitted). */
export function listHeaderValue(h: ListHeader, requested: string | undefined): string | undefined {
  const parts = [...h.listed];
  if (h.reflectRequest && requested) parts.push(requested);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function evaluate(policy: Policy, req: CorsRequest): ExpectedResponse {
  const origin = header(req, 'origin');
  const preflight = isPreflight(req);
  const kind: RequestKind = preflight ? 'preflight' : 'actual';
  if (!origin) {
    return { kind, outcome: 'actual-without-origin', forwarded: true, status: 'upstream', headers: {}, varyOrigin: true };
  }
  const decision = matchOrigin(policy, origin);
  if (!decision.allowed) {
    return preflight
      ? { kind, outcome: 'preflight-refused', forwarded: false, status: 403, headers: {}, varyOrigin: true }
      : { kind, outcome: 'actual-refused', forwarded: true, status: 'upstream', headers: {}, varyOrigin: true };
  }

  const headers: ExpectedResponse['headers'] = {
    'Access-Control-Allow-Origin': policy.origins.kind === 'any' && !policy.credentials ? '*' : origin,
  };
  if (policy.credentials) headers['Access-Control-Allow-Credentials'] = 'true';

  if (!preflight) {
    if (policy.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = policy.exposeHeaders.join(', ');
    return withMatched({ kind, outcome: 'actual-allowed', forwarded: true, status: 'upstream', headers, varyOrigin: true }, decision.matched);
  }

  const methods = listHeaderValue(policy.allowMethods, header(req, 'access-control-request-method'));
  if (methods !== undefined) headers['Access-Control-Allow-Methods'] = methods;
  const allowHeaders = listHeaderValue(policy.allowHeaders, header(req, 'access-control-request-headers'));
  if (allowHeaders !== undefined) headers['Access-Control-Allow-Headers'] = allowHeaders;
  if (policy.maxAge !== null) headers['Access-Control-Max-Age'] = String(policy.maxAge);
  if (policy.privateNetwork && header(req, 'access-control-request-private-network') === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
  }
  return withMatched({ kind, outcome: 'preflight-allowed', forwarded: false, status: 204, headers, varyOrigin: true }, decision.matched);
}

/** `matched` set only when an entry matched (no `matched: undefined` key), without an object spread per request. */
function withMatched(r: ExpectedResponse, matched: OriginMatcher | undefined): ExpectedResponse {
  if (matched) r.matched = matched;
  return r;
}
