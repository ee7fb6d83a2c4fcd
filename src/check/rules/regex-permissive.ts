// A regex that accepts the origin it was written for usually accepts more: the classic CORS
// bypasses are an unescaped dot, a missing end anchor on the host, a missing dot before the domain,
// and an optional "s". Each is probed on sample origins the regex accepts (regex-samples.ts).
import { hostileOrigins, type HostileOrigin } from '../regex-samples.js';
import { analyzedRegexes, type Rule } from '../rule.js';

const ORDER: HostileOrigin['kind'][] = ['suffix', 'dot', 'prefix', 'http'];

function explain(h: HostileOrigin): string {
  switch (h.kind) {
    case 'dot':
      return `${h.origin}, made from ${h.from} by replacing a dot: an unescaped . matches any character, write \\.`;
    case 'suffix':
      return `${h.origin}, made by appending to the host of ${h.from}: end the host with an exact name followed by the port part and $`;
    case 'prefix':
      return `${h.origin}, made by putting a name in front of ${h.from}: put \\. between a subdomain wildcard and the domain, e.g. ^https://([a-z0-9-]+\\.)+example\\.com$`;
    case 'http':
      return `${h.origin}, the plain-http twin of ${h.from} that any network attacker can impersonate: write ^https:// (and a separate regex for http if you really need it)`;
  }
}

export const regexPermissive: Rule = {
  id: 'regex-permissive',
  severity: 'error',
  docs: 'Refuses a regex that accepts an attacker-shaped origin made from one it accepts: a literal dot replaced by another character, a suffix appended to the host, a name glued in front of the domain, or http in place of https.',
  messages: {
    hostile: 'regex {{regex}} also accepts the attacker\'s origin {{=explanation}}{{=also}}',
  },
  check: (p) =>
    analyzedRegexes(p).flatMap(({ value, index, analysis }) => {
      const found = hostileOrigins(analysis).sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
      if (found.length === 0) return [];
      const [first, ...rest] = found;
      const also = rest.length ? `; it also accepts ${rest.map((h) => h.origin).join(' and ')}` : '';
      return [{ path: [...p.path, 'origins', index, 'regex'], messageId: 'hostile', data: { regex: value, explanation: explain(first!), also } }];
    }),
};
