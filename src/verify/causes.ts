// The likely deployment mistake behind a deviation (docs/contract.md §3a). Each cause is inferred from the
// differences of one answer, and for a missing Access-Control-Allow-Origin also from the preflight
// sent to the same path from the same origin.
import type { ExpectedResponse } from '../model/evaluate.js';
import type { Outcome } from './client.js';
import type { Difference } from './compare.js';
import type { ProbeRequest } from './requests.js';

export type CauseId =
  | 'own-headers-block'
  | 'application-headers-kept'
  | 'auth-before-preflight'
  | 'not-included'
  | 'redirect'
  | 'other-configuration'
  | 'vary-replaced'
  | 'timeout'
  | 'network';

export const CAUSE_TEXT: Record<CauseId, string> = {
  'own-headers-block':
    'the preflight was answered but this response has no Access-Control-Allow-Origin: a location or block with headers of its own drops the included ones (nginx: add_header in a location without the include)',
  'application-headers-kept':
    "the application's Access-Control-* headers are not removed on this route (nginx: a location with a proxy_hide_header of its own and no include; Caddy: reverse_proxy without import cors-<name>-upstream)",
  'auth-before-preflight':
    'authentication runs before the preflight answer (browsers send preflights without credentials; e.g. Caddy basicauth without the not-preflight matcher)',
  'not-included':
    'the preflight reached the application: the generated file is not included where this request is routed (a nested location, another server block / VirtualHost / site)',
  redirect: 'the server redirects before the preflight answer (browsers refuse a redirected preflight: e.g. http→https or a trailing-slash redirect)',
  'other-configuration':
    'the server answers from another policy or another CORS configuration (regenerate the files from this policy: cors-gen --check shows drift)',
  'vary-replaced': 'the included Vary: Origin is dropped on this route (a location or block with headers of its own) or replaced by a later directive that sets Vary',
  timeout: 'no answer within the time-out while other requests were answered',
  network: 'the connection failed while other requests were answered',
};

export interface Judged {
  request: ProbeRequest;
  expected: ExpectedResponse;
  outcome: Outcome;
  differences: Difference[];
}

const isAuth = (status: number) => status === 401 || status === 407;
const isRedirect = (status: number) => status >= 300 && status < 400;

/** What became of the preflight sent to the same path from the same origin. */
export type PreflightFate = { ok: true } | { ok: false; cause: CauseId | undefined } | undefined;

/** The cause of one deviating answer. */
export function causeOf(j: Judged, preflight: PreflightFate): CauseId | undefined {
  if (j.outcome.kind === 'failed') return j.outcome.failure === 'timeout' ? 'timeout' : 'network';
  if (j.differences.length === 0) return undefined;
  const status = j.outcome.status;
  if (j.request.kind !== 'actual') {
    if (isAuth(status)) return 'auth-before-preflight';
    if (isRedirect(status)) return 'redirect';
    if (j.differences.some((d) => d.kind === 'status')) return 'not-included';
  }
  if (j.differences.some((d) => d.kind === 'header-repeated')) return 'application-headers-kept';
  // Whatever kept the preflight from the included answer is also behind the actual request's.
  if (j.request.kind === 'actual' && preflight?.ok === false && preflight.cause !== undefined && preflight.cause !== 'other-configuration') return preflight.cause;
  const missingOrigin = j.differences.some((d) => d.kind === 'header-missing' && d.header === 'Access-Control-Allow-Origin');
  if (missingOrigin && j.request.kind === 'actual') return 'own-headers-block';
  if (j.differences.some((d) => d.kind === 'header-unexpected' || d.kind === 'header-value')) {
    // Headers the policy never sends on this answer, with the values the application's copy would carry.
    return j.request.kind === 'actual' && j.expected.outcome !== 'actual-allowed' ? 'application-headers-kept' : 'other-configuration';
  }
  if (j.differences.every((d) => d.kind === 'vary-without-origin')) return 'vary-replaced';
  return 'other-configuration';
}

/**
 * Causes for every judged request, in order. An actual request leans on the preflight sent to the
 * same path from the same origin, or (without Origin) on the first preflight of its path that deviated.
 */
export function causes(judged: readonly Judged[]): (CauseId | undefined)[] {
  const key = (r: ProbeRequest) => `${r.path}\n${r.headers.origin ?? ''}`;
  const fates = new Map<string, PreflightFate>();
  const pathFates = new Map<string, PreflightFate>();
  for (const j of judged) {
    if (j.request.kind !== 'preflight') continue;
    const ok = j.outcome.kind === 'answered' && j.differences.length === 0;
    const fate: PreflightFate = ok ? { ok } : { ok, cause: causeOf(j, undefined) };
    fates.set(key(j.request), fate);
    if (!ok && !pathFates.has(j.request.path)) pathFates.set(j.request.path, fate);
  }
  return judged.map((j) => causeOf(j, fates.get(key(j.request)) ?? pathFates.get(j.request.path)));
}
