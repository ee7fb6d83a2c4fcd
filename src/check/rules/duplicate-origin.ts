// The same origin twice, or an entry another entry of the policy already allows. Coverage is
// decided by the model's own matching (evaluate.ts), so it means what the generated configs do.
import { hostText } from '../../model/origin.js';
import { matcherAccepts } from '../../model/evaluate.js';
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

const describe = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : `regex ${JSON.stringify((value as { regex: string }).regex)}`);

export const duplicateOrigin: Rule = {
  id: 'duplicate-origin',
  severity: 'warning',
  docs: 'Warns about an origin listed twice, or one another entry of the same policy already allows (https://a.example.com beside https://*.example.com): one of them is dead weight, or a sign of a typo.',
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
        findings.push({ path: [...p.path, 'origins', index], message: `${describe(entry)} is listed twice in origins; remove this one` });
      } else first.set(key, index);
    });

    const parsed = parsedOrigins(p);
    const patterns = parsed.flatMap((o) => (o.matcher.kind === 'pattern' ? [{ ...o, matcher: o.matcher }] : []));
    const regexes = analyzedRegexes(p).map((r) => ({ ...r, matcher: { kind: 'regex', source: r.value } as OriginMatcher }));
    for (const { value, index, matcher } of parsed) {
      if (reported.has(index)) continue;
      const pattern = patterns.find(
        (o) =>
          o.index !== index &&
          o.value !== value &&
          (matcher.kind === 'exact' ? matcherAccepts(o.matcher, matcher.origin) : patternCovers(o.matcher, matcher)),
      );
      const regex = matcher.kind === 'exact' ? regexes.find((r) => matcherAccepts(r.matcher, matcher.origin)) : undefined;
      const by = pattern ? `"${pattern.value}"` : regex ? `the regex ${JSON.stringify(regex.value)}` : undefined;
      if (by === undefined) continue;
      findings.push({ path: [...p.path, 'origins', index], message: `origin "${value}" is already allowed by ${by} in the same policy; remove one of them` });
    }
    return findings;
  },
};
