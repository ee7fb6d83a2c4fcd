// The path serve and the middleware (src/middleware/) route on (docs/contract.md §2a): serve's own
// reading of a path (src/model/reading.ts), as nginx, Apache and Caddy each have theirs
// (src/targets/<t>/reading.ts), composed from the same shared steps (src/model/path-normalize.ts)
// and read through the evaluator's serverPath and longestPrefix. Its column of the table in
// src/model/paths.ts, pinned with the servers' columns in test/unit/model/paths.test.ts:
//
//   percent-decoded as UTF-8, repeated slashes merged, dot-segments removed (RFC 3986 §5.2.4), the
//   query kept as sent; trailing dots and spaces kept (/api/x%20 → "/api/x "); case kept and
//   compared as sent (/API/x is not under /api/).
//   Refused, always with 400 and never forwarded: an encoded slash (/api%2Fx), a NUL (%00), a `..`
//   above the root (/.., /a/../../x), an invalid percent escape (%zz, %), an escape that is not
//   UTF-8 (%ff), and any target that is not origin-form (`/…`): serve is never a forward proxy.
//
// Where the servers differ from each other serve takes the refusing side: nginx and Caddy route
// /api%2Fx as /api/x, Apache answers 404; serve answers 400 (the one line marked below), because a
// decoded slash would let a path segment name another directory upstream, and an upstream that
// keeps %2F encoded would route differently from the prefix serve matched. Caddy clamps a `..`
// above the root where nginx and Apache answer 400; serve answers 400.
import { mergeAndRemoveDots, percentDecode, hasEncodedSlash, refusedPath } from '../model/path-normalize.js';
import { longestPrefix, serverPath } from '../model/paths.js';
import type { PathReading } from '../model/reading.js';

export const serveReading: PathReading = {
  reader: 'serve',
  path(raw) {
    // The usual path (no escape, no dot-segment, no empty segment) is already normalized.
    if (!/%|\/\/|\/\.\.?(?:\/|$)/.test(raw)) return { kind: 'path', path: raw };
    const decoded = percentDecode(raw, 'utf-8');
    if (!decoded.ok) return refusedPath(400, decoded.why === 'malformed' ? 'an invalid percent escape' : 'a percent escape that is not UTF-8');
    // serve's decision on an encoded slash, where nginx and Caddy decode it (see above).
    if (hasEncodedSlash(raw)) return refusedPath(400, 'an encoded slash');
    if (decoded.text.includes('\0')) return refusedPath(400, 'a NUL');
    const path = mergeAndRemoveDots(decoded.text);
    return path === null ? refusedPath(400, 'a dot-segment above the root') : { kind: 'path', path };
  },
  pathsIgnoreCase: false,
};

export type RequestPath =
  | {
      kind: 'ok';
      /** The normalized, decoded path, starting with `/`. */
      path: string;
      /** Its decoded segments (none holds `/`, none is `.` or `..`). */
      segments: readonly string[];
      /** Whether the path ends with `/` after a segment (`/a/` but not `/`). */
      trailingSlash: boolean;
      /** Everything after the first `?`, as sent; null without a `?`. */
      query: string | null;
    }
  | { kind: 'refused'; reason: string };

export function readRequestPath(target: string): RequestPath {
  const read = serverPath(serveReading, target);
  if (read.kind === 'refused') return { kind: 'refused', reason: read.reason };
  const q = target.indexOf('?');
  const query = q < 0 ? null : target.slice(q + 1);
  const segments = read.path.split('/').slice(1);
  const trailingSlash = segments.length > 1 && segments[segments.length - 1] === '';
  if (trailingSlash || (segments.length === 1 && segments[0] === '')) segments.pop();
  return { kind: 'ok', path: read.path, segments, trailingSlash, query };
}

/** Contract §2a: the longest of the policy's prefixes that the normalized path starts with. */
export function governingPrefix(paths: readonly string[], path: string): string | null {
  return longestPrefix(paths, path, serveReading);
}

// Characters a path segment may hold literally (RFC 3986 pchar) that encodeURIComponent escapes.
const PCHAR_KEPT: Record<string, string> = { '%24': '$', '%26': '&', '%2B': '+', '%2C': ',', '%3B': ';', '%3D': '=', '%3A': ':', '%40': '@' };

/** A decoded segment as it goes on the wire again. */
export const encodeSegment = (seg: string): string => encodeURIComponent(seg).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (m) => PCHAR_KEPT[m]!);
