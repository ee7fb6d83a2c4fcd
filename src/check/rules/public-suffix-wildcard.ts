// `https://*.github.io` trusts every site hosted under github.io, i.e. anyone's. The Public Suffix
// List (private section included) says where registrable names end.
import { hostText } from '../../model/origin.js';
import { isPublicSuffix } from '../origin-facts.js';
import { publicSuffixSpan } from '../regex-samples.js';
import { analyzedRegexes, isCredentialed, parsedOrigins, type PolicyInput, type Rule, type RuleFinding } from '../rule.js';

const consequence = (p: PolicyInput) =>
  isCredentialed(p)
    ? "with credentials: true, any of them can read responses with your users' cookies"
    : 'any of them can read your responses';

export const publicSuffixWildcard: Rule = {
  id: 'public-suffix-wildcard',
  severity: 'error',
  optOut: 'public-suffix-wildcard',
  docs: 'Refuses a subdomain wildcard on a public suffix (https://*.com, *.co.uk, *.github.io, *.herokuapp.com): anyone can register a name there. An error with credentials, a warning without.',
  messages: {
    origin: 'origin {{origin}} allows every site under the public suffix {{=suffix}}, which anyone can register; {{=consequence}}; list your own origins (or add public-suffix-wildcard to dangerouslyAllow)',
    regex: 'regex {{regex}} accepts any name under the public suffix {{=suffix}} ({{=sample}}, {{=other}}, …), which anyone can register; {{=consequence}}; spell out your own names (or add public-suffix-wildcard to dangerouslyAllow)',
  },
  check: (p) => {
    const severity = isCredentialed(p) ? 'error' : 'warning';
    const findings: RuleFinding[] = [];
    for (const { value, index, matcher } of parsedOrigins(p)) {
      if (matcher.kind !== 'pattern' || !matcher.subdomains) continue;
      const suffix = hostText(matcher.host);
      if (!isPublicSuffix(suffix)) continue;
      findings.push({
        severity,
        path: [...p.path, 'origins', index],
        messageId: 'origin',
        data: { origin: value, suffix, consequence: consequence(p) },
      });
    }
    for (const { value, index, analysis } of analyzedRegexes(p)) {
      const span = publicSuffixSpan(analysis);
      if (!span) continue;
      findings.push({
        severity,
        path: [...p.path, 'origins', index, 'regex'],
        messageId: 'regex',
        data: { regex: value, suffix: span.suffix, sample: span.sample, other: span.other, consequence: consequence(p) },
      });
    }
    return findings;
  },
};
