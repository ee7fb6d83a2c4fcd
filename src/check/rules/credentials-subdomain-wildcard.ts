import { hostText } from '../../model/origin.js';
import { isLoopbackHost, isPublicSuffix } from '../origin-facts.js';
import { isCredentialed, parsedOrigins, type Rule } from '../rule.js';

export const credentialsSubdomainWildcard: Rule = {
  id: 'credentials-subdomain-wildcard',
  severity: 'warning',
  docs: 'Warns about a subdomain wildcard with credentials: any subdomain an attacker takes over (a dangling DNS record, an XSS on a forgotten host) can read credentialed responses.',
  messages: {
    'subdomains': 'origin {{origin}} with credentials: true trusts every subdomain: one taken over (a dangling DNS record, a forgotten host with an XSS) can read responses with your users\' cookies; list the subdomains you use if you can',
  },
  check: (p) =>
    isCredentialed(p)
      ? parsedOrigins(p)
          // A wildcard on a public suffix is the public-suffix-wildcard rule's (an error there) unless
          // that rule is opted out: an opt-out silences the rule it names and no other. The
          // subdomains of localhost are the user's own machine.
          .filter(
            ({ matcher }) =>
              matcher.kind === 'pattern' &&
              matcher.subdomains &&
              (p.dangerouslyAllow.has('public-suffix-wildcard') || !isPublicSuffix(hostText(matcher.host))) &&
              !isLoopbackHost(hostText(matcher.host)),
          )
          .map(({ value, index }) => ({
            path: [...p.path, 'origins', index],
            messageId: 'subdomains',
            data: { origin: value },
          }))
      : [],
};
