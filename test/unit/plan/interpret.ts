// The response plan read as a server would execute it: what the three targets render, interpreted
// directly. Only the tests use it, to hold the plan against the reference evaluator.
import type { ExpectedResponse, CorsRequest } from '../../../src/model/evaluate.js';
import type { HeaderPlan, OriginRegex, PolicyPlan } from '../../../src/plan/index.js';

type Answer = Pick<ExpectedResponse, 'kind' | 'outcome' | 'forwarded' | 'status' | 'headers' | 'varyOrigin'>;

const get = (req: CorsRequest, name: string) => req.headers[name.toLowerCase()];

/** One or more DNS labels, each followed by a dot (src/model/regex.ts). */
const LABELS = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+$/;

/** A `subdomainsOf` entry read as a suffix lookup: what a server that hashes the suffix does. */
export function underSuffix(s: NonNullable<OriginRegex['subdomainsOf']>, origin: string): boolean {
  const head = `${s.scheme}://`;
  if (!origin.startsWith(head) || !origin.endsWith(`.${s.suffix}`)) return false;
  return LABELS.test(origin.slice(head.length, origin.length - s.suffix.length));
}

function originAllowed(plan: PolicyPlan, origin: string): boolean {
  if (plan.origins.kind === 'any') return true;
  const accepts = (r: OriginRegex) => (r.subdomainsOf ? underSuffix(r.subdomainsOf, origin) : new RegExp(r.regex).test(origin));
  return plan.origins.exact.includes(origin) || plan.origins.regexes.some(accepts);
}

function value(h: HeaderPlan, req: CorsRequest): string | undefined {
  switch (h.value.kind) {
    case 'literal':
      return h.value.text;
    case 'origin':
      return get(req, 'origin');
    case 'list': {
      const parts = [...h.value.listed];
      const requested = h.value.reflect ? get(req, h.value.reflect) : undefined;
      if (requested) parts.push(requested);
      return parts.length > 0 ? parts.join(', ') : undefined;
    }
  }
}

export function interpret(plan: PolicyPlan, req: CorsRequest): Answer {
  const origin = get(req, 'origin');
  const preflight = req.method === 'OPTIONS' && !!origin && !!get(req, 'access-control-request-method');
  const kind = preflight ? 'preflight' : 'actual';
  if (!origin) return { kind, outcome: 'actual-without-origin', forwarded: true, status: 'upstream', headers: {}, varyOrigin: true };
  if (!originAllowed(plan, origin)) {
    return preflight
      ? { kind, outcome: 'preflight-refused', forwarded: false, status: plan.answers.refused ?? 204, headers: {}, varyOrigin: true }
      : { kind, outcome: 'actual-refused', forwarded: true, status: 'upstream', headers: {}, varyOrigin: true };
  }
  const headers: Answer['headers'] = {};
  for (const h of plan.headers) {
    if (h.on !== kind) continue;
    if (h.onlyIf && get(req, h.onlyIf.header) !== h.onlyIf.equals) continue;
    const v = value(h, req);
    if (v !== undefined) headers[h.name] = v;
  }
  return preflight
    ? { kind, outcome: 'preflight-allowed', forwarded: false, status: plan.answers.allowed, headers, varyOrigin: true }
    : { kind, outcome: 'actual-allowed', forwarded: true, status: 'upstream', headers, varyOrigin: true };
}
