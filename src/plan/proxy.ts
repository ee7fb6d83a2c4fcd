// Proxy mode (contract §6) as a plan: what a target forwards, where, and what it changes on the way.
// Additive to the response plan (types.ts): a policy without `upstream` has none. The per-request
// CORS decisions stay in PolicyPlan; §6's 502 carries the headers of an allowed actual request.
import type { Policy } from '../model/types.js';

/** Request headers that carry the user's credentials: forwarded only with `credentials: true`. */
export const CREDENTIAL_REQUEST_HEADERS = ['Cookie', 'Authorization'] as const;
export type CredentialRequestHeader = (typeof CREDENTIAL_REQUEST_HEADERS)[number];

/** The trust store used when the policy names no `ca`: Debian's and Ubuntu's bundle file (§6). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface ProxyPlan {
  /** `scheme://host[:port]` of the upstream; also the Host header (`host[:port]`) it is sent. */
  origin: string;
  /** `host[:port]`: the Host header the upstream gets. */
  hostHeader: string;
  /** The upstream URL's path, ending in `/`: the normalized path minus the matched prefix is appended to it. */
  basePath: string;
  /** For https: verify the certificate (never off), SNI = host, against this CA file. */
  tls: { serverName: string; caFile: string; caFromPolicy: boolean } | null;
  /** Request headers removed before forwarding (Cookie and Authorization without credentials). */
  dropRequestHeaders: readonly CredentialRequestHeader[];
  /** The status when the upstream cannot be reached or does not verify. */
  failureStatus: 502;
}

export function proxyPlan(policy: Policy): ProxyPlan | null {
  const u = policy.upstream;
  if (u === null) return null;
  const hostHeader = u.port === null ? u.host : `${u.host}:${u.port}`;
  return {
    origin: `${u.scheme}://${hostHeader}`,
    hostHeader,
    basePath: u.basePath,
    // SNI carries a DNS name only (RFC 6066 §3): for an IP literal the server sends none.
    tls: u.scheme === 'https' ? { serverName: u.host, caFile: u.ca ?? SYSTEM_CA_BUNDLE, caFromPolicy: u.ca !== null } : null,
    dropRequestHeaders: policy.credentials ? [] : [...CREDENTIAL_REQUEST_HEADERS],
    failureStatus: 502,
  };
}
