// Model → response plan (types.ts). The decisions of docs/contract.md §2, each made here once.
import { hostText } from '../model/origin.js';
import { matcherRegex } from '../model/regex.js';
import { CORS_RESPONSE_HEADERS, type ListHeader, type OriginMatcher, type Policy, type PolicySet } from '../model/types.js';
import { proxyPlan } from './proxy.js';
import type { HeaderPlan, OriginLookup, OriginRegex, PolicyPlan, ResponsePlan, Route, SubdomainWildcard } from './types.js';

function written(m: OriginMatcher): string {
  switch (m.kind) {
    case 'exact':
      return m.origin;
    case 'pattern':
      return m.written;
    case 'regex':
      return `regex ${m.source}`;
  }
}

/** A subdomain wildcard on a DNS name with no port wildcard, as parts; undefined for anything else. */
function subdomainWildcard(m: OriginMatcher): SubdomainWildcard | undefined {
  if (m.kind !== 'pattern' || !m.subdomains || m.host.kind !== 'dns' || m.port.kind === 'any') return undefined;
  return { scheme: m.scheme, suffix: m.host.name, port: m.port.kind === 'port' ? m.port.port : null };
}

/** A `*.host[:port]` entry (no `:*`) as the suffix its subdomains end with (see OriginRegex). */
function subdomainsOf(m: OriginMatcher): Pick<OriginRegex, 'subdomainsOf'> {
  if (m.kind !== 'pattern' || !m.subdomains || m.port.kind === 'any') return {};
  return { subdomainsOf: { scheme: m.scheme, suffix: hostText(m.host) + (m.port.kind === 'port' ? `:${m.port.port}` : '') } };
}

export function originLookup(policy: Policy): OriginLookup {
  if (policy.origins.kind === 'any') return { kind: 'any' };
  const exact: string[] = [];
  const regexes: OriginRegex[] = [];
  for (const m of policy.origins.matchers) {
    if (m.kind === 'exact') exact.push(m.origin);
    else {
      const w = subdomainWildcard(m);
      regexes.push({ written: written(m), regex: matcherRegex(m), ...subdomainsOf(m), ...(w ? { wildcard: w } : {}) });
    }
  }
  return { kind: 'list', exact, regexes };
}

/** A list header; none when it can never have an element. */
function list(name: HeaderPlan['name'], h: ListHeader, reflect: 'Access-Control-Request-Method' | 'Access-Control-Request-Headers'): HeaderPlan[] {
  if (h.listed.length === 0 && !h.reflectRequest) return [];
  return [{ name, on: 'preflight', value: { kind: 'list', listed: h.listed, reflect: h.reflectRequest ? reflect : null } }];
}

export function headerPlan(policy: Policy): HeaderPlan[] {
  // Fetch "CORS check": `*` only without credentials; otherwise the request's Origin, byte for byte.
  const acao: HeaderPlan['value'] = policy.origins.kind === 'any' && !policy.credentials ? { kind: 'literal', text: '*' } : { kind: 'origin' };
  const out: HeaderPlan[] = [];
  for (const on of ['preflight', 'actual'] as const) {
    out.push({ name: 'Access-Control-Allow-Origin', on, value: acao });
    if (policy.credentials) out.push({ name: 'Access-Control-Allow-Credentials', on, value: { kind: 'literal', text: 'true' } });
  }
  out.push(...list('Access-Control-Allow-Methods', policy.allowMethods, 'Access-Control-Request-Method'));
  out.push(...list('Access-Control-Allow-Headers', policy.allowHeaders, 'Access-Control-Request-Headers'));
  if (policy.maxAge !== null) out.push({ name: 'Access-Control-Max-Age', on: 'preflight', value: { kind: 'literal', text: String(policy.maxAge) } });
  if (policy.privateNetwork) {
    out.push({
      name: 'Access-Control-Allow-Private-Network',
      on: 'preflight',
      value: { kind: 'literal', text: 'true' },
      onlyIf: { header: 'Access-Control-Request-Private-Network', equals: 'true' },
    });
  }
  if (policy.exposeHeaders.length > 0) out.push({ name: 'Access-Control-Expose-Headers', on: 'actual', value: { kind: 'literal', text: policy.exposeHeaders.join(', ') } });
  // Emitted in the order of CORS_RESPONSE_HEADERS, the order every target writes them in.
  const order = (h: HeaderPlan) => CORS_RESPONSE_HEADERS.indexOf(h.name);
  return out.sort((a, b) => order(a) - order(b));
}

export function policyPlan(policy: Policy): PolicyPlan {
  return {
    name: policy.name,
    paths: policy.paths,
    origins: originLookup(policy),
    // With origins "*" every preflight carries an Origin the policy allows: none is refused.
    answers: { allowed: 204, refused: policy.origins.kind === 'any' ? null : 403 },
    headers: headerPlan(policy),
    vary: 'Origin',
    strip: [...CORS_RESPONSE_HEADERS],
    proxy: proxyPlan(policy),
  };
}

export function routes(set: PolicySet): Route[] {
  const all = set.policies.flatMap((p) => p.paths.map((prefix) => ({ prefix, policy: p.name })));
  // Array.prototype.sort is stable: equal lengths keep file order.
  return all.sort((a, b) => b.prefix.length - a.prefix.length);
}

export function buildPlan(set: PolicySet): ResponsePlan {
  const pathScoped = set.policies.some((p) => p.paths.length !== 1 || p.paths[0] !== '/');
  return { policies: set.policies.map(policyPlan), pathScoped, routes: routes(set) };
}
