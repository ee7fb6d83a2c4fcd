// The origins verify sends: one derived from each origin entry of the policy, and attacker-shaped
// variants of it (the probes CORS scanners use: research/proxy-verify-haproxy.md, Topic 2).
import { analyzeRegex } from '../check/regex-samples.js';
import { matcherAccepts } from '../model/evaluate.js';
import { hostText } from '../model/origin.js';
import type { OriginMatcher, Policy } from '../model/types.js';

/**
 * Attacker-shaped variants of an origin the policy accepts: a suffix appended to the host, a prefix
 * glued to it, a dot replaced by a letter, the other scheme, another port, a missing label, `null`.
 * Whether each is refused is the evaluator's call (for `origins: "*"` they are all allowed).
 */
export function attackOrigins(origin: string): string[] {
  const m = /^(https?):\/\/([^:/]+|\[[^\]]+\])(?::([0-9]+))?$/.exec(origin);
  if (!m) return [];
  const [, scheme, host, port] = m as unknown as [string, string, string, string | undefined];
  const withPort = (h: string, p = port) => `${scheme}://${h}${p ? `:${p}` : ''}`;
  const out = new Set<string>([
    withPort(`${host}.evil.test`),
    withPort(`evil${host}`),
    `${scheme === 'https' ? 'http' : 'https'}://${host}${port ? `:${port}` : ''}`,
    withPort(host, port ? String(Number(port) + 1) : '8443'),
    `${origin}.evil.test`,
    'null',
  ]);
  const dots = [...host.matchAll(/\./g)].map((d) => d.index!);
  for (const i of [dots[0], dots[dots.length - 1]]) {
    if (i !== undefined) out.add(withPort(`${host.slice(0, i)}x${host.slice(i + 1)}`));
  }
  if (dots.length > 0) out.add(withPort(host.slice(dots[0]! + 1)));
  out.delete(origin);
  return [...out];
}

/** What an origin entry is written as, for messages. */
export function entryText(m: OriginMatcher): string {
  switch (m.kind) {
    case 'exact':
      return m.origin;
    case 'pattern':
      return m.written;
    case 'regex':
      return `regex: ${m.source}`;
  }
}

/** An origin the entry accepts (e.g. https://a.example.com for https://*.example.com), or null. */
export function originFor(m: OriginMatcher): string | null {
  switch (m.kind) {
    case 'exact':
      return m.origin;
    case 'pattern': {
      const host = `${m.subdomains ? 'a.' : ''}${hostText(m.host)}`;
      const port = m.port.kind === 'port' ? `:${m.port.port}` : m.port.kind === 'any' ? ':8443' : '';
      const origin = `${m.scheme}://${host}${port}`;
      return matcherAccepts(m, origin) ? origin : null;
    }
    case 'regex':
      return analyzeRegex(m.source)?.samples.find((s) => matcherAccepts(m, s)) ?? null;
  }
}

/** Stands in for "any site" when the policy allows every origin. */
export const ANY_SITE_ORIGIN = 'https://verify.cors-gen.example';

export interface OriginGroup {
  /** The entry the group was derived from (undefined for `origins: "*"`). */
  entry?: string;
  /** The derived origin first, then its attacker-shaped variants. */
  origins: string[];
}

export interface ProbeOrigins {
  groups: OriginGroup[];
  /** Entries no origin could be derived from. */
  notProbed: string[];
}

/** One group per origin entry; an origin already sent for an earlier entry is not sent again. */
export function probeOrigins(policy: Policy): ProbeOrigins {
  const seen = new Set<string>();
  const groups: OriginGroup[] = [];
  const notProbed: string[] = [];
  const add = (origin: string, entry?: string) => {
    const origins = [origin, ...attackOrigins(origin)].filter((o) => !seen.has(o));
    for (const o of origins) seen.add(o);
    if (origins.length > 0) groups.push({ ...(entry === undefined ? {} : { entry }), origins });
  };
  if (policy.origins.kind === 'any') {
    add(ANY_SITE_ORIGIN);
    return { groups, notProbed };
  }
  for (const m of policy.origins.matchers) {
    const origin = originFor(m);
    if (origin === null) notProbed.push(entryText(m));
    else add(origin, entryText(m));
  }
  return { groups, notProbed };
}
