// Plain-http origins with credentials or private-network access: anyone on the network path of a
// user (public Wi-Fi, a hostile ISP or proxy) can answer for that origin and run script in it.
import { hostText } from '../../model/origin.js';
import { isLoopbackHost, originParts } from '../origin-facts.js';
import { insecureSamples } from '../regex-samples.js';
import { analyzedRegexes, isCredentialed, parsedOrigins, type PolicyInput, type Rule, type RuleFinding } from '../rule.js';

function why(p: PolicyInput): string {
  const reasons = [isCredentialed(p) ? 'credentials: true' : '', p.raw.privateNetwork === true ? 'privateNetwork: true' : ''].filter(Boolean);
  const stake = isCredentialed(p) ? "read responses with your users' cookies" : 'reach your private-network service through your users';
  return `with ${reasons.join(' and ')}, anyone on a user's network path (public Wi-Fi, a rogue proxy) can impersonate it and ${stake}`;
}

const OPT_OUT = 'or add insecure-origins to dangerouslyAllow if you accept that';

export const insecureOrigin: Rule = {
  id: 'insecure-origin',
  severity: 'error',
  optOut: 'insecure-origins',
  docs: 'Refuses plain-http origins other than loopback (localhost, 127.0.0.0/8, [::1]) with credentials or privateNetwork: a network attacker can impersonate them (MITM) and act as your users.',
  messages: {
    'http-origin': 'origin {{origin}} is plain http: {{=why}}; use {{=fixed}}, {{=optOut}}',
    'http-regex': 'regex {{regex}} accepts the plain-http origin {{=sample}}: {{=why}}; accept only https://, {{=optOut}}',
  },
  check: (p) => {
    if (!isCredentialed(p) && p.raw.privateNetwork !== true) return [];
    const findings: RuleFinding[] = [];
    for (const { value, index, matcher } of parsedOrigins(p)) {
      const parts = matcher.kind === 'exact' ? originParts(matcher.origin) : { scheme: matcher.scheme, host: hostText(matcher.host) };
      if (!parts || parts.scheme !== 'http' || isLoopbackHost(parts.host)) continue;
      findings.push({
        path: [...p.path, 'origins', index],
        messageId: 'http-origin',
        data: { origin: value, why: why(p), fixed: value.replace(/^http:/, 'https:'), optOut: OPT_OUT },
      });
    }
    for (const { value, index, analysis } of analyzedRegexes(p)) {
      const insecure = insecureSamples(analysis);
      if (insecure.length === 0) continue;
      findings.push({
        path: [...p.path, 'origins', index, 'regex'],
        messageId: 'http-regex',
        data: { regex: value, sample: insecure[0]!, why: why(p), optOut: OPT_OUT },
      });
    }
    return findings;
  },
};
