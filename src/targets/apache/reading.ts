// How Apache httpd 2.4 reads a request before the generated configuration sees it: its column of
// the tables in src/model/paths.ts and src/model/server-request.ts, measured on Debian bookworm
// (Apache 2.4.x) with curl --path-as-is and raw sockets (test/fuzz/probe.ts).
//
// Path (what mod_rewrite matches): AllowEncodedSlashes Off (the default) answers 404 to an encoded
// slash and to %00 before any module sees the request; else the path is decoded, slashes merged
// (MergeSlashes On) and dot-segments removed: a malformed escape → 400, a `..` above the root →
// 400, /api/x/.. → /api/, trailing spaces kept, case kept and compared as sent.
//
// Header lines: server/protocol.c ap_get_mime_headers_core merges repeated fields with ", " and
// strips spaces and tabs around a value; the generated file reads them with req_novary(). Any
// method token is read (a lower-case `options` is an actual request). LimitRequestLine and
// LimitRequestFieldSize 8190: a longer request line → 414, a longer header line → 400, neither
// with a CORS header. Exact origins are compared byte for byte.
//
// A refused path (a `..` above the root or a malformed escape: 400; an encoded slash or %00: 404)
// is refused in ap_process_request_internal, after the post_read_request hooks, where the
// generated SetEnvIfExpr lines have already run: the refusal carries the `Header always` lines of
// the request (OPTIONS /../x from an allowed Origin gets 400 with the preflight's
// Access-Control-Allow-Origin, -Methods and -Headers, measured with test/fuzz/probe.ts). Where the
// file names paths those lines also need the IN flag, which mod_rewrite never set (translate_name
// did not run). `Header unset` lines carry the policy's path condition, so at an ungoverned path
// the application's own Access-Control-* headers pass untouched.
import { hasEncodedSlash, mergeAndRemoveDots, percentDecode, refusedPath } from '../../model/path-normalize.js';
import type { ServerReading } from '../../model/reading.js';

/** LimitRequestLine and LimitRequestFieldSize defaults. */
export const APACHE_LINE_LIMIT = 8190;

export const reading: ServerReading = {
  reader: 'apache',
  path(raw) {
    if (hasEncodedSlash(raw)) return refusedPath(404, 'Apache refuses an encoded slash (AllowEncodedSlashes Off)');
    const decoded = percentDecode(raw, 'bytes');
    if (!decoded.ok) return refusedPath(400, 'malformed percent-encoding');
    if (decoded.text.includes('\u0000')) return refusedPath(404, 'Apache refuses %00');
    const path = mergeAndRemoveDots(decoded.text);
    return path === null ? refusedPath(400, 'a dot-segment climbs above the root') : { kind: 'path', path };
  },
  pathsIgnoreCase: false,
  ungovernedAppCorsHeaders: 'passed',
  valueTrim: 'spaces-and-tabs',
  header: (_name, values) => values.join(', '),
  lines(wire) {
    if (`${wire.method} ${wire.target} HTTP/1.1`.length > APACHE_LINE_LIMIT) return { kind: 'refused', status: 414, reason: 'request line over LimitRequestLine', linesRead: null };
    if (wire.headers.some(([n, v]) => `${n}:${v}`.length > APACHE_LINE_LIMIT)) return { kind: 'refused', status: 400, reason: 'header line over LimitRequestFieldSize', linesRead: null };
    return { kind: 'read', lines: wire.headers.length };
  },
  exactOriginsIgnoreCase: false,
  pathRefusalCarriesCors: true,
};
