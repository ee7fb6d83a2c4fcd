// Origin matchers as anchored regular expressions in the subset PCRE (nginx, Apache) and RE2 (Caddy)
// share: no look-around, no back-references, only `^…$`, classes, groups, `?`, `+` and `{m,n}`.
import { hostText } from './origin.js';
import type { OriginMatcher } from './types.js';

/** One DNS label (RFC 1035 letters-digits-hyphen, at most 63 bytes) followed by a dot. */
const SUBDOMAIN_LABELS = '([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+';
const ANY_PORT = '(:[0-9]{1,5})?';

export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\\/-]/g, (c) => (c === '-' || c === '/' ? c : `\\${c}`));
}

/** The anchored regex that accepts exactly the origins the matcher accepts. */
export function matcherRegex(m: OriginMatcher): string {
  switch (m.kind) {
    case 'exact':
      return `^${escapeRegex(m.origin)}$`;
    case 'regex':
      return m.source;
    case 'pattern': {
      const host = (m.subdomains ? SUBDOMAIN_LABELS : '') + escapeRegex(hostText(m.host));
      const port = m.port.kind === 'any' ? ANY_PORT : m.port.kind === 'port' ? `:${m.port.port}` : '';
      return `^${m.scheme}://${host}${port}$`;
    }
  }
}
