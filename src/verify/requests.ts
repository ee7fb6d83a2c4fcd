// The bounded request set verify sends (docs/contract.md §3a): for each path, from each probe origin, a
// preflight without and one with requested headers, an actual GET and HEAD; per path also a GET and
// a HEAD without Origin. Only OPTIONS, GET and HEAD, never a cookie or credential.
import type { Policy } from '../model/types.js';
import { probeOrigins, type OriginGroup } from './origins.js';

export const MAX_REQUESTS = 1000;

export type ProbeKind = 'preflight' | 'preflight-with-headers' | 'actual';

export interface ProbeRequest {
  kind: ProbeKind;
  method: 'OPTIONS' | 'GET' | 'HEAD';
  path: string;
  /** Request headers by lower-case name (Origin included when sent). */
  headers: Readonly<Record<string, string>>;
}

export interface RequestSet {
  requests: ProbeRequest[];
  /** Origin entries no origin could be derived from. */
  notProbed: string[];
  /** Set when the derived set exceeded MAX_REQUESTS and was cut. */
  cut?: { derived: number; paths: number; pathsKept: number; origins: number; originsKept: number };
}

const SAFELISTED = new Set(['GET', 'HEAD', 'POST']);

/** The method a preflight asks for: the policy's first non-simple method (a preflight's reason), else GET. */
function requestedMethod(policy: Policy): string {
  return policy.allowMethods.listed.find((m) => !SAFELISTED.has(m) && m !== '*') ?? policy.allowMethods.listed.find((m) => m !== '*') ?? 'GET';
}

/** The headers a preflight asks for: the policy's named allowHeaders, else one custom header. */
function requestedHeaders(policy: Policy): string {
  const named = policy.allowHeaders.listed.filter((h) => h !== '*').map((h) => h.toLowerCase());
  return (named.length > 0 ? named : ['x-cors-gen-verify']).join(',');
}

function originRequests(policy: Policy, path: string, origin: string): ProbeRequest[] {
  const acrm = requestedMethod(policy);
  const withHeaders: Record<string, string> = { origin, 'access-control-request-method': acrm, 'access-control-request-headers': requestedHeaders(policy) };
  if (policy.privateNetwork) withHeaders['access-control-request-private-network'] = 'true';
  return [
    { kind: 'preflight', method: 'OPTIONS', path, headers: { origin, 'access-control-request-method': acrm } },
    { kind: 'preflight-with-headers', method: 'OPTIONS', path, headers: withHeaders },
    { kind: 'actual', method: 'GET', path, headers: { origin } },
    { kind: 'actual', method: 'HEAD', path, headers: { origin } },
  ];
}

const PER_ORIGIN = 4;
const WITHOUT_ORIGIN = 2;

/** Every k-th element so that `keep` are taken spread over the whole list (keep ≤ length). */
function spread<T>(items: readonly T[], keep: number): T[] {
  if (keep >= items.length) return [...items];
  return Array.from({ length: keep }, (_, i) => items[Math.floor((i * items.length) / keep)]!);
}

/**
 * At most `keep` origins: each entry's own origin first, then each entry's first variant, and so on
 * (round-robin over the groups); a round that does not fit whole is thinned evenly.
 */
function pickOrigins(groups: readonly OriginGroup[], keep: number): string[] {
  const out: string[] = [];
  // Loops, not Math.max(...) / push(...): spreading a million entries overflows the call stack.
  const longest = groups.reduce((n, g) => Math.max(n, g.origins.length), 0);
  for (let i = 0; i < longest && out.length < keep; i++) {
    const round = groups.filter((g) => i < g.origins.length).map((g) => g.origins[i]!);
    for (const o of spread(round, keep - out.length)) out.push(o);
  }
  return out;
}

export function requestSet(policy: Policy, paths: readonly string[], limit = MAX_REQUESTS): RequestSet {
  const { groups, notProbed } = probeOrigins(policy);
  const total = groups.reduce((n, g) => n + g.origins.length, 0);
  const perPath = (n: number) => n * PER_ORIGIN + WITHOUT_ORIGIN;
  const derived = paths.length * perPath(total);
  let keptPaths = [...paths];
  let keptOrigins = pickOrigins(groups, total);
  if (derived > limit) {
    keptPaths = spread(paths, Math.max(1, Math.min(paths.length, Math.floor(limit / perPath(1)))));
    const originsPerPath = Math.max(1, Math.floor((Math.floor(limit / keptPaths.length) - WITHOUT_ORIGIN) / PER_ORIGIN));
    keptOrigins = pickOrigins(groups, originsPerPath);
  }
  const requests: ProbeRequest[] = [];
  for (const path of keptPaths) {
    for (const origin of keptOrigins) requests.push(...originRequests(policy, path, origin));
    requests.push({ kind: 'actual', method: 'GET', path, headers: {} }, { kind: 'actual', method: 'HEAD', path, headers: {} });
  }
  const cut =
    derived > limit
      ? { cut: { derived, paths: paths.length, pathsKept: keptPaths.length, origins: total, originsKept: keptOrigins.length } }
      : {};
  return { requests, notProbed, ...cut };
}
