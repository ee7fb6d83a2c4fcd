// The same origin twice, or an entry another entry of the policy already allows. Coverage is
// decided by the model's own matching (evaluate.ts), so it means what the generated configs do.
import { hostText } from '../../model/origin.js';
import { matcherAccepts } from '../../model/evaluate.js';
import { regexSet } from '../../model/regex-engine.js';
import { originParts } from '../origin-facts.js';
import { quote as quoted } from '../../text/escape.js';
import type { OriginMatcher } from '../../model/types.js';
import { analyzedRegexes, parsedOrigins, type Rule, type RuleFinding } from '../rule.js';

type Pattern = Extract<OriginMatcher, { kind: 'pattern' }>;

/** Whether every origin `inner` accepts is accepted by `outer` (two distinct patterns). */
function patternCovers(outer: Pattern, inner: Pattern): boolean {
  if (outer.scheme !== inner.scheme) return false;
  if (outer.port.kind !== 'any' && JSON.stringify(outer.port) !== JSON.stringify(inner.port)) return false;
  const o = hostText(outer.host);
  const i = hostText(inner.host);
  if (outer.subdomains) return i.endsWith(`.${o}`) || (inner.subdomains && i === o);
  return !inner.subdomains && i === o;
}

const describe = (value: unknown): string => (typeof value === 'string' ? quoted(value) : `regex ${quoted((value as { regex: string }).regex)}`);

export const duplicateOrigin: Rule = {
  id: 'duplicate-origin',
  severity: 'warning',
  docs: 'Warns about an origin listed twice, or one another entry of the same policy already allows (https://a.example.com beside https://*.example.com): one of them is dead weight, or a sign of a typo.',
  messages: {
    twice: '{{=entry}} is listed twice in origins; remove this one',
    covered: 'origin {{origin}} is already allowed by {{=by}} in the same policy; remove one of them',
  },
  check: (p) => {
    if (!Array.isArray(p.raw.origins)) return [];
    const findings: RuleFinding[] = [];
    const reported = new Set<number>();
    const first = new Map<string, number>();
    p.raw.origins.forEach((entry, index) => {
      const key =
        typeof entry === 'string' ? `s:${entry}` : entry && typeof entry === 'object' && typeof (entry as { regex?: unknown }).regex === 'string' ? `r:${(entry as { regex: string }).regex}` : null;
      if (key === null) return;
      if (first.has(key)) {
        reported.add(index);
        findings.push({ path: [...p.path, 'origins', index], messageId: 'twice', data: { entry: describe(entry) } });
      } else first.set(key, index);
    });

    const parsed = parsedOrigins(p);
    const patterns = parsed.flatMap((o) => (o.matcher.kind === 'pattern' ? [{ ...o, matcher: o.matcher }] : []));
    const regexes = analyzedRegexes(p);
    // Indexes rather than every pair: a policy may list 100,000 origins (docs/contract.md §1: bounded time).
    // A pattern can only cover a host equal to its own or below it, so the candidates for a host
    // are the patterns on the host itself and on each of its parent names.
    const byHost = new Map<string, typeof patterns>();
    for (const o of patterns) {
      const host = hostText(o.matcher.host);
      byHost.set(host, [...(byHost.get(host) ?? []), o]);
    }
    const candidates = (host: string): typeof patterns => {
      const found: typeof patterns = [];
      for (let name = host; ; ) {
        for (const o of byHost.get(name) ?? []) found.push(o);
        const dot = name.indexOf('.');
        if (dot < 0) break;
        name = name.slice(dot + 1);
      }
      return found.sort((a, b) => a.index - b.index);
    };
    const regexMatches = regexes.length > 0 ? regexSet(regexes.map((r) => r.value)) : () => [];
    for (const { value, index, matcher } of parsed) {
      if (reported.has(index)) continue;
      const host = matcher.kind === 'exact' ? originParts(matcher.origin)?.host : hostText(matcher.host);
      const pattern = (host === undefined ? patterns : candidates(host)).find(
        (o) =>
          o.index !== index &&
          o.value !== value &&
          (matcher.kind === 'exact' ? matcherAccepts(o.matcher, matcher.origin) : patternCovers(o.matcher, matcher)),
      );
      const regexIndex = matcher.kind === 'exact' ? regexMatches(matcher.origin).reduce((a, b) => Math.min(a, b), Infinity) : Infinity;
      const regex = Number.isFinite(regexIndex) ? regexes[regexIndex] : undefined;
      const by = pattern ? quoted(pattern.value) : regex ? `the regex ${quoted(regex.value)}` : undefined;
      if (by === undefined) continue;
      findings.push({ path: [...p.path, 'origins', index], messageId: 'covered', data: { origin: value, by } });
    }
    return findings;
  },
};
