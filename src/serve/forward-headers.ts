// The request headers serve sends upstream (docs/contract.md §6): the client's, minus the hop-by-hop ones
// (RFC 9110 §7.6.1) and those the proxy itself answers for, with Host naming the upstream. Cookie
// and Authorization pass only when the policy has `credentials: true`.
import { CORS_PREFIX } from './cors-headers.js';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];
// Node answers `Expect: 100-continue` itself; the upstream must not wait for a second go-ahead.
const ANSWERED_HERE = ['host', 'expect', 'http2-settings'];
const CREDENTIALS = ['cookie', 'authorization'];

/** What happens to a request header, by lower-case name (absent: it passes). One lookup per header on every request. */
type RequestRule = 'drop' | 'credential';
const REQUEST_RULES = new Map<string, RequestRule>([...[...HOP_BY_HOP, ...ANSWERED_HERE].map((n) => [n, 'drop'] as const), ...CREDENTIALS.map((n) => [n, 'credential'] as const)]);
/** Dropped in both directions. */
const HOP_BY_HOP_NAMES = new Set(HOP_BY_HOP);

/**
 * Names a Connection header lists are hop-by-hop too. Null when it lists none beyond the hop-by-hop
 * names, which are dropped anyway (the usual `Connection: keep-alive`).
 */
export function connectionTokens(raw: readonly string[]): Set<string> | null {
  let out: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // `(c | 0x20) === 0x63`: a C or c, so that Keep-Alive (also 10 characters) is not lower-cased.
    if (name.length !== 10 || (name.charCodeAt(0) | 0x20) !== 0x63 || name.toLowerCase() !== 'connection') continue;
    const value = raw[i + 1]!;
    if (HOP_BY_HOP_NAMES.has(value)) continue; // the usual `keep-alive`, whole
    for (const t of value.split(',')) {
      const token = t.trim().toLowerCase();
      if (!HOP_BY_HOP_NAMES.has(token)) (out ??= new Set()).add(token);
    }
  }
  return out;
}

/**
 * Request headers for the upstream, as a flat [name, value, …] list (names as the client wrote
 * them), after `Host: <hostHeader>`.
 */
export function forwardRequestHeaders(raw: readonly string[], hostHeader: string, credentials: boolean): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = ['Host', hostHeader];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    const rule = REQUEST_RULES.get(lower);
    if (rule === undefined) {
      if (listed === null || !listed.has(lower)) out.push(name, raw[i + 1]!);
    } else if (rule === 'credential') {
      if (credentials && (listed === null || !listed.has(lower))) out.push(name, raw[i + 1]!);
    } else if (lower === 'transfer-encoding') {
      // A body framed in chunks stays framed in chunks: Node would otherwise send a GET's body bytes
      // unframed, and the upstream would read them as a second request (request smuggling).
      out.push('Transfer-Encoding', 'chunked');
    }
  }
  return out;
}

/** Whether a response header from the upstream passes (by lower-case name): no hop-by-hop, no Access-Control-* (isCorsHeader, without lower-casing again). */
export const passesResponseHeader = (lower: string, listed: Set<string> | null): boolean =>
  !HOP_BY_HOP_NAMES.has(lower) && (listed === null || !listed.has(lower)) && !lower.startsWith(CORS_PREFIX);
