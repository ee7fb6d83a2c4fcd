// The shared steps servers take to turn a raw request path into the path they route on. Each
// reading (src/model/reading.ts) composes them in its server's order; none of them knows a server.
import type { ServerPath } from './reading.js';

export const refusedPath = (status: 400 | 404, reason: string): ServerPath => ({ kind: 'refused', status, reason });

export type Decoded = { ok: true; text: string } | { ok: false; why: 'malformed' | 'not-utf-8' };

/**
 * Percent-decodes a raw path. `bytes`: each escape becomes one latin1 char (what nginx, Apache and
 * Go compare); `utf-8`: escapes are UTF-8 sequences (decodeURIComponent), literal chars kept.
 */
export function percentDecode(raw: string, as: 'bytes' | 'utf-8'): Decoded {
  if (as === 'utf-8') {
    if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return { ok: false, why: 'malformed' };
    try {
      return { ok: true, text: decodeURIComponent(raw) };
    } catch {
      return { ok: false, why: 'not-utf-8' };
    }
  }
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { ok: false, why: 'malformed' };
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return { ok: true, text: out };
}

/** Whether the raw path holds an encoded slash (`%2F`, either case). */
export const hasEncodedSlash = (raw: string): boolean => /%2f/i.test(raw);

/**
 * Merges repeated slashes, then removes `.` and `..` segments (RFC 3986 §5.2.4); null when a `..`
 * would climb above the root. A trailing `.` or `..` leaves a trailing slash (`/api/x/..` → `/api/`).
 */
export function mergeAndRemoveDots(path: string): string | null {
  const segments = path.replace(/\/{2,}/g, '/').split('/').slice(1);
  const out: string[] = [];
  for (const [i, s] of segments.entries()) {
    if (s === '..') {
      if (out.length === 0) return null;
      out.pop();
    }
    if (s !== '.' && s !== '..') out.push(s);
    else if (i === segments.length - 1) out.push('');
  }
  return `/${out.join('/')}`;
}

/**
 * Go's path.Clean on a rooted path (a `..` above the root stays at the root), keeping a trailing
 * slash as Caddy 2.6.2's cleanPath does (modules/caddyhttp/caddyhttp.go).
 */
export function goPathClean(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  const cleaned = `/${out.join('/')}`;
  return cleaned !== '/' && p.endsWith('/') ? `${cleaned}/` : cleaned;
}
