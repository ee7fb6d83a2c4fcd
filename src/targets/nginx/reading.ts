// How nginx 1.22 reads a request before the generated configuration sees it: its column of the
// tables in src/model/paths.ts and src/model/server-request.ts, measured on Debian bookworm (nginx
// 1.22.1) with curl --path-as-is and raw sockets (test/fuzz/probe.ts).
//
// Path ($uri): every %XX decoded, then slashes merged and dot-segments removed on the decoded bytes
// (src/http/ngx_http_parse.c ngx_http_parse_complex_uri), so an encoded slash or dot counts as a
// real one (/api%2Fx → /api/x, /public%2F..%2Fapi/x → /api/x); %00 → 400; a malformed escape → 400;
// a `..` above the root → 400; /api/x/.. → /api/; trailing spaces kept; case kept and compared as
// sent (merge_slashes on, the default).
//
// Header lines: $http_<name> is the first line of that name (ngx_http_variables.c; from 1.23.0
// repeated lines are joined with ", " — the model follows 1.22, the floor CI runs); only spaces
// are skipped around a value, a tab is part of it (ngx_http_parse_header_line); a method must be
// A-Z, _ and - only (ngx_http_parse_request_line), else 400. large_client_header_buffers 4 8k: a
// request line over 8 KiB → 414; a header line over 8 KiB → 400 after the lines before it were
// read, and that error response goes through the server-level add_header lines ("always"): it
// carries the headers the policy gives the request made of the lines read so far (its
// `if … return` never ran). nginx checks the path (ngx_http_process_request_uri) before it reads
// a header line, so a refused path wins over an over-long line. Exact origins are hashed map keys,
// which nginx compares ignoring ASCII case: HTTPS://A.EXAMPLE.COM matches https://a.example.com
// and is reflected as sent. proxy_hide_header cannot depend on the path, so the application's own
// Access-Control-* headers are removed at ungoverned paths too.
import { mergeAndRemoveDots, percentDecode, refusedPath } from '../../model/path-normalize.js';
import { serverPath } from '../../model/paths.js';
import type { ServerReading } from '../../model/reading.js';

/** large_client_header_buffers (4 8k): a request line or header line must fit one buffer. */
export const NGINX_LINE_LIMIT = 8192;

export const reading: ServerReading = {
  reader: 'nginx',
  path(raw) {
    const decoded = percentDecode(raw, 'bytes');
    if (!decoded.ok) return refusedPath(400, 'malformed percent-encoding');
    if (decoded.text.includes('\u0000')) return refusedPath(400, 'nginx refuses %00');
    const path = mergeAndRemoveDots(decoded.text);
    return path === null ? refusedPath(400, 'a dot-segment climbs above the root') : { kind: 'path', path };
  },
  pathsIgnoreCase: false,
  ungovernedAppCorsHeaders: 'removed',
  valueTrim: 'spaces',
  header: (_name, values) => values[0],
  lines(wire) {
    if (!/^[A-Z_-]+$/.test(wire.method)) return { kind: 'refused', status: 400, reason: 'nginx accepts only A-Z, _ and - in a method', linesRead: null };
    if (`${wire.method} ${wire.target} HTTP/1.1\r\n`.length > NGINX_LINE_LIMIT) return { kind: 'refused', status: 414, reason: 'request line longer than nginx\'s 8k buffer', linesRead: null };
    const tooLong = wire.headers.findIndex(([n, v]) => `${n}:${v}\r\n`.length > NGINX_LINE_LIMIT);
    if (tooLong < 0) return { kind: 'read', lines: wire.headers.length };
    if (serverPath(reading, wire.target).kind === 'refused') return { kind: 'read', lines: 0 };
    return { kind: 'refused', status: 400, reason: 'header line longer than nginx\'s 8k buffer', linesRead: tooLong };
  },
  exactOriginsIgnoreCase: true,
  pathRefusalCarriesCors: false,
};
