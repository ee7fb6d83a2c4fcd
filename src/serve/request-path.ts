// The path serve routes on (docs/contract.md §2a): the request target's path percent-decoded, with
// dot-segments removed (RFC 3986 §5.2.4) and repeated slashes merged, the query kept as sent.
// This is serve's own reading of a path, as nginx, Apache and Caddy each have theirs; the
// middleware (src/middleware/) uses it too. Refused, as a 400: an encoded slash (`%2F`, which would
// let a path segment name another directory upstream, and which Apache refuses too), a dot-segment
// that climbs above `/` (nginx answers 400 as well), an invalid percent escape or UTF-8 sequence, a
// NUL, and any target that is not origin-form (`/…`): serve is never a forward proxy.

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

const refused = (reason: string): RequestPath => ({ kind: 'refused', reason });

export function readRequestPath(target: string): RequestPath {
  if (!target.startsWith('/')) return refused('the request target is not a path');
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? null : target.slice(q + 1);
  // The usual path (no escape, no dot-segment, no empty segment) is already normalized.
  if (!/%|\/\/|\/\.\.?(?:\/|$)/.test(rawPath)) {
    const segments = rawPath.split('/').slice(1);
    const trailingSlash = segments.length > 1 && segments[segments.length - 1] === '';
    if (trailingSlash || (segments.length === 1 && segments[0] === '')) segments.pop();
    return { kind: 'ok', path: rawPath, segments, trailingSlash, query };
  }
  const raw = rawPath.split('/').slice(1);
  const out: string[] = [];
  let trailingSlash = false;
  for (let i = 0; i < raw.length; i++) {
    const last = i === raw.length - 1;
    let seg: string;
    if (/%(?![0-9A-Fa-f]{2})/.test(raw[i]!)) return refused('an invalid percent escape');
    try {
      seg = decodeURIComponent(raw[i]!);
    } catch {
      return refused('a percent escape that is not UTF-8');
    }
    if (seg.includes('/')) return refused('an encoded slash');
    if (seg.includes('\0')) return refused('a NUL');
    if (seg === '' || seg === '.') {
      trailingSlash = last && out.length > 0;
      continue;
    }
    if (seg === '..') {
      if (out.length === 0) return refused('a dot-segment above the root');
      out.pop();
      trailingSlash = last && out.length > 0;
      continue;
    }
    out.push(seg);
    trailingSlash = false;
  }
  const path = `/${out.join('/')}${trailingSlash ? '/' : ''}`;
  return { kind: 'ok', path, segments: out, trailingSlash, query };
}

/** Contract §2a: the longest of the policy's prefixes that the normalized path starts with. */
export function governingPrefix(paths: readonly string[], path: string): string | null {
  let best: string | null = null;
  for (const p of paths) if (path.startsWith(p) && (best === null || p.length > best.length)) best = p;
  return best;
}

// Characters a path segment may hold literally (RFC 3986 pchar) that encodeURIComponent escapes.
const PCHAR_KEPT: Record<string, string> = { '%24': '$', '%26': '&', '%2B': '+', '%2C': ',', '%3B': ';', '%3D': '=', '%3A': ':', '%40': '@' };

/** A decoded segment as it goes on the wire again. */
export const encodeSegment = (seg: string): string => encodeURIComponent(seg).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (m) => PCHAR_KEPT[m]!);
