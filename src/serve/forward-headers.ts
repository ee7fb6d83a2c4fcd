// The request headers serve sends upstream (docs/contract.md §6): the client's, minus the hop-by-hop ones
// (RFC 9110 §7.6.1) and those the proxy itself answers for, with Host naming the upstream. Cookie
// and Authorization pass only when the policy has `credentials: true`.
import type { Upstream } from '../model/types.js';
import { isCorsHeader } from './cors-headers.js';
import { upstreamAuthority } from './upstream-url.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
// Node answers `Expect: 100-continue` itself; the upstream must not wait for a second go-ahead.
const ANSWERED_HERE = new Set(['host', 'expect', 'http2-settings']);
const CREDENTIALS = new Set(['cookie', 'authorization']);

/** Names a Connection header lists are hop-by-hop too. */
function connectionTokens(raw: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const t of raw[i + 1]!.split(',')) out.add(t.trim().toLowerCase());
  }
  return out;
}

/** Request headers for the upstream, as a flat [name, value, …] list (names as the client wrote them). */
export function forwardRequestHeaders(raw: readonly string[], upstream: Upstream, credentials: boolean): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = ['Host', upstreamAuthority(upstream)];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    // A body framed in chunks stays framed in chunks: Node would otherwise send a GET's body bytes
    // unframed, and the upstream would read them as a second request (request smuggling).
    if (lower === 'transfer-encoding') out.push('Transfer-Encoding', 'chunked');
    if (HOP_BY_HOP.has(lower) || ANSWERED_HERE.has(lower) || listed.has(lower)) continue;
    if (!credentials && CREDENTIALS.has(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  return out;
}

const RESPONSE_HOP_BY_HOP = new Set([...HOP_BY_HOP]);

/** Response headers from the upstream that pass, in order: no hop-by-hop, no Access-Control-*. */
export function passResponseHeaders(raw: readonly string[]): [string, string][] {
  const listed = connectionTokens(raw);
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (RESPONSE_HOP_BY_HOP.has(lower) || listed.has(lower) || isCorsHeader(lower)) continue;
    out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}
