// Contract §5: a plain-http upstream that is not loopback makes the proxy forward the users'
// requests (and, with credentials, their cookies) unencrypted across the network.
import { isLoopbackHost } from '../origin-facts.js';
import type { Rule } from '../rule.js';

export const upstreamInsecure: Rule = {
  id: 'upstream-insecure',
  severity: 'warning',
  docs: 'Warns about a plain http:// upstream that is not loopback: the proxy would forward the users\' requests unencrypted.',
  messages: {
    http: 'upstream url {{url}} is plain http to a host that is not loopback: the proxy forwards your users\' requests to it unencrypted; use https://',
  },
  check: (p) => {
    const upstream = p.raw.upstream as { url?: unknown } | undefined;
    const url = upstream && typeof upstream === 'object' ? upstream.url : undefined;
    if (typeof url !== 'string' || !/^http:\/\//i.test(url)) return [];
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return []; // upstream-url reports it
    }
    if (host === '' || isLoopbackHost(host)) return [];
    return [{ path: [...p.path, 'upstream', 'url'], messageId: 'http', data: { url } }];
  },
};
