// The one upstream serve forwards to (docs/contract.md §3b, §6): the policy's `upstream`, or `--upstream`
// in its place. Checked here as the policy's is: http or https, a host, no userinfo, query or fragment.
import { normalizeUpstream } from '../model/normalize.js';
import type { Upstream } from '../model/types.js';
import { encodeSegment } from './request-path.js';

export type Parsed<T> = { kind: 'ok'; value: T } | { kind: 'error'; message: string };

export function parseUpstreamUrl(url: string, ca: string | null): Parsed<Upstream> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'error', message: `the upstream ${JSON.stringify(url)} is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { kind: 'error', message: `the upstream ${JSON.stringify(url)} is not http or https` };
  if (u.hostname === '') return { kind: 'error', message: `the upstream ${JSON.stringify(url)} has no host` };
  if (u.username !== '' || u.password !== '') return { kind: 'error', message: `the upstream ${JSON.stringify(url)} holds a user name or password` };
  if (url.includes('?') || url.includes('#')) return { kind: 'error', message: `the upstream ${JSON.stringify(url)} has a query or fragment` };
  return { kind: 'ok', value: normalizeUpstream({ url, ...(ca !== null ? { ca } : {}) }) };
}

/** `host[:port]` as the upstream's Host header (docs/contract.md §6). */
export const upstreamAuthority = (u: Upstream): string => (u.port === null ? u.host : `${u.host}:${u.port}`);

/** The upstream's origin, e.g. `https://api.example:8443`. */
export const upstreamOrigin = (u: Upstream): string => `${u.scheme}://${upstreamAuthority(u)}`;

const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Contract §6: the normalized path minus the matched prefix, appended to the URL's path (which ends
 * with `/`), the query kept. Null when what is left would hold a dot-segment (a prefix without a
 * trailing slash can leave `..` glued to it, e.g. `/v2..` under `/v2`): it never leaves the base path.
 */
export function upstreamPath(u: Upstream, prefix: string, path: string, query: string | null): string | null {
  let rest = path.slice(prefix.length);
  if (rest.charCodeAt(0) === 0x2f) rest = rest.replace(/^\/+/, '');
  const tail = query === null ? '' : `?${query}`;
  // The usual path holds only unreserved characters (RFC 3986 §2.3), which encodeSegment leaves as
  // they are: one scan instead of a split and an escape per segment.
  if (UNRESERVED_PATH.test(rest)) return DOT_SEGMENT.test(rest) ? null : `${u.basePath}${rest}${tail}`;
  const segments = rest.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  return `${u.basePath}${segments.map(encodeSegment).join('/')}${tail}`;
}

/** A URL path on the upstream, as the path a browser should use on the proxy; null when outside the base path. */
export function proxyPathFor(u: Upstream, prefix: string, upstreamPathname: string): string | null {
  const base = u.basePath;
  if (upstreamPathname === base.slice(0, -1)) return prefix.endsWith('/') ? prefix.slice(0, -1) || '/' : prefix;
  if (!upstreamPathname.startsWith(base)) return null;
  const rest = upstreamPathname.slice(base.length);
  return prefix.endsWith('/') ? `${prefix}${rest}` : `${prefix}/${rest}`;
}
