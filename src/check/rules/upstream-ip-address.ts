// An https upstream named by an IP address verifies in some servers and in none of the others: the
// targets that cannot check an IP-address certificate say so in their dialect
// (src/targets/<t>/dialect.ts verifiesUpstreamIpAddress), and answer every request 502 there.
import { REGISTRY } from '../../targets/registry.js';
import type { Rule } from '../rule.js';

const cannot = REGISTRY.filter((t) => !t.dialect.verifiesUpstreamIpAddress).map((t) => t.dialect.title);

/** An IPv4 dotted quad or a bracketed IPv6 literal, as URL.hostname gives them. */
const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

export const upstreamIpAddress: Rule = {
  id: 'upstream-ip-address',
  severity: 'warning',
  docs: `Warns about an https upstream named by IP address: ${cannot.join(', ')} cannot verify its certificate and would answer every request 502.`,
  messages: {
    ip: `upstream url {{url}} names its host by IP address: ${cannot.join(' and ')} verif${cannot.length === 1 ? 'ies' : 'y'} an upstream certificate against DNS names only and would answer every request 502 there; name the upstream by a DNS name its certificate holds`,
  },
  check: (p) => {
    if (cannot.length === 0) return [];
    const upstream = p.raw.upstream as { url?: unknown } | undefined;
    const url = upstream && typeof upstream === 'object' ? upstream.url : undefined;
    if (typeof url !== 'string' || !/^https:\/\//i.test(url)) return [];
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return []; // upstream-url reports it
    }
    return IP_HOST.test(host) ? [{ path: [...p.path, 'upstream', 'url'], messageId: 'ip', data: { url } }] : [];
  },
};
