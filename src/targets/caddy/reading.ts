// How Caddy 2.6.2 reads a request before the generated configuration sees it: its column of the
// tables in src/model/paths.ts and src/model/server-request.ts, measured on Debian bookworm (Caddy
// 2.6.2) with curl --path-as-is and raw sockets (test/fuzz/probe.ts).
//
// Path: the path matcher (modules/caddyhttp/matchers.go MatchPath.Match, tag v2.6.2) lower-cases
// Go's decoded URL.Path, trims trailing dots and spaces (strings.TrimRight(p, ". ")) and cleans it
// with path.Clean, keeping a trailing slash (caddyhttp.go cleanPath): /api%2Fx → /api/x, /api/x%00
// → /api/x\0, /.. → / and /a/../../x → /x (clamped at the root), /api/x/.. → /api/x/ and /api/.. →
// /api/ (dots trimmed first), /api/x%20 → /api/x; prefixes are compared ignoring case. Go's server
// refuses a malformed escape with 400. (From v2.7.0 Caddy trims dots and spaces only on Windows,
// caddyserver/caddy #5613; the model follows 2.6.2, the floor CI runs.)
//
// Header lines: `{http.request.header.*}` is strings.Join(values, ",") (modules/caddyhttp/
// replacer.go) and header_regexp tries every value of the field (matchers.go): presence is `.`
// (some value is non-empty) or `^true$` (some value is "true"). Go's net/textproto trims spaces and
// tabs; any method token is read; net/http allows 1 MiB of headers (then 431), no line limit below
// that. Exact origins are compared byte for byte. header_down cannot depend on the path, so the
// application's own Access-Control-* headers are removed at ungoverned paths too.
import { goPathClean, percentDecode, refusedPath } from '../../model/path-normalize.js';
import type { ServerReading } from '../../model/reading.js';

/** Go's http.DefaultMaxHeaderBytes (Caddy 2.6 sets no other) plus the 4096 bytes of slack net/http allows. */
export const CADDY_HEADER_LIMIT = (1 << 20) + 4096;

export const reading: ServerReading = {
  reader: 'caddy',
  path(raw) {
    const decoded = percentDecode(raw, 'bytes');
    if (!decoded.ok) return refusedPath(400, 'malformed percent-encoding');
    return { kind: 'path', path: goPathClean(decoded.text.replace(/[. ]+$/, '')) };
  },
  pathsIgnoreCase: true,
  ungovernedAppCorsHeaders: 'removed',
  valueTrim: 'spaces-and-tabs',
  header(name, values) {
    if (name === 'access-control-request-private-network') return values.includes('true') ? 'true' : values.join(',');
    return values.some((v) => v !== '') ? values.join(',') : undefined;
  },
  lines(wire) {
    const size = `${wire.method} ${wire.target} HTTP/1.1\r\n`.length + wire.headers.reduce((n, [k, v]) => n + `${k}:${v}\r\n`.length, 0);
    if (size > CADDY_HEADER_LIMIT) return { kind: 'refused', status: 431, reason: 'headers over Go\'s 1 MiB limit', linesRead: null };
    return { kind: 'read', lines: wire.headers.length };
  },
  exactOriginsIgnoreCase: false,
  pathRefusalCarriesCors: false,
};
