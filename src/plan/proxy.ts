// Proxy mode (docs/contract.md §6) in the response plan: where a policy with `upstream` forwards the requests
// it governs, and what changes on the way. Each target maps this onto its proxy directives.
import type { Policy, Upstream } from '../model/types.js';

export interface Mount {
  /** A prefix the policy governs (`/` without paths). */
  prefix: string;
  /**
   * The upstream path for a governed path: `basePath` + what follows the prefix, leading slashes
   * dropped (`/weather/today` under `/weather/` → `/v1/today`), the query kept. A rest whose first
   * segment is `.` or `..` (only possible after a prefix without a trailing slash) is not forwarded.
   */
  basePath: string;
}

export interface ProxyPlan {
  /** The checked upstream as the model holds it. */
  upstream: Upstream;
  scheme: 'http' | 'https';
  /** As in a URL: a DNS name, an IPv4 address or a bracketed IPv6 address. */
  host: string;
  port: number | null;
  /** The Host header sent upstream: `host[:port]`. */
  authority: string;
  /** `scheme://host[:port]`: with basePath, what redirects and cookie paths are mapped from. */
  origin: string;
  /** Ends with `/`. */
  basePath: string;
  mounts: readonly Mount[];
  /** https only: verify the certificate against this CA file, or (null) the system trust store. Never off. */
  ca: string | null;
  /** Request headers never forwarded (Cookie and Authorization without credentials). */
  dropRequestHeaders: readonly ('Cookie' | 'Authorization')[];
  /** Set-Cookie from the upstream: its Domain attribute removed (or emptied). */
  cookieDomain: 'remove';
  /** The answer when the upstream cannot be reached or does not verify: with the CORS headers of an allowed actual request. */
  unreachable: 502;
}

export function proxyPlan(policy: Policy): ProxyPlan | null {
  const u = policy.upstream;
  if (u === null) return null;
  const authority = u.port === null ? u.host : `${u.host}:${u.port}`;
  return {
    upstream: u,
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    authority,
    origin: `${u.scheme}://${authority}`,
    basePath: u.basePath,
    mounts: policy.paths.map((prefix) => ({ prefix, basePath: u.basePath })),
    ca: u.scheme === 'https' ? u.ca : null,
    dropRequestHeaders: policy.credentials ? [] : ['Cookie', 'Authorization'],
    cookieDomain: 'remove',
    unreachable: 502,
  };
}
