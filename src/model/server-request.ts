// How each server reads a request as it arrives on the wire, before any generated configuration
// sees it (docs/contract.md §2: "where the servers themselves read a request differently, each target
// follows its own server, the evaluator models the difference per target"). serverRequest turns the
// raw request (header lines in order, names and values as sent) into what the target's CORS logic
// reads, or into the server's own refusal; evaluateWireAt then asks evaluateAt (paths.ts), so for a
// well-formed request (one line per header, no surrounding whitespace) nothing changes.
//
// Measured on Debian bookworm (nginx 1.22.1, Apache 2.4.x, Caddy 2.6.2) with raw sockets
// (test/fuzz/probe.ts prints the table; test/fuzz/*.fuzz.test.ts pins it at scale):
//
// | request                               | nginx                      | Apache                        | Caddy                          |
// |---------------------------------------|----------------------------|-------------------------------|--------------------------------|
// | Origin twice (a, b)                   | first value: a             | joined "a, b" (refused)       | joined "a,b" (refused)         |
// | Origin "", then a                     | first: "" (no Origin)      | ", a" (refused)               | ",a" (refused; present)        |
// | ACRM / ACRH twice                     | first value                | joined ", "                   | joined ","                     |
// | ACRPN twice (true, false)             | first value is "true"      | joined value is "true"        | any value is "true"            |
// | spaces around a value                 | trimmed                    | trimmed                       | trimmed                        |
// | tabs around a value                   | kept (part of the value)   | trimmed                       | trimmed                        |
// | header name case (ORIGIN)             | ignored                    | ignored                       | ignored                        |
// | Origin HTTPS://A.EXAMPLE.COM, exact   | matches (hash ignores case)| no match                      | no match                       |
// |   entry https://a.example.com         |  and is reflected as sent  |                               |                                |
// | lower-case method (get, options)      | 400 (not a method)         | an actual request             | an actual request              |
// | unknown upper-case method (FOO)       | an actual request          | an actual request             | an actual request              |
// | request line over 8 KiB               | 414                        | 414 (LimitRequestLine 8190)   | accepted (1 MiB limit)         |
// | one header line over 8 KiB            | 400, with the CORS headers | 400 (LimitRequestFieldSize    | accepted (1 MiB limit)         |
// |                                       |  of the lines read before  |  8190), no CORS header        |                                |
// |                                       |  (server-level include)    |                               |                                |
// | path refused (/../x 400, /x%2Fy 404)  | no CORS header             | the CORS headers of the       | (Caddy cleans, see paths.ts)   |
// |                                       |                            |  request, if the file has no  |                                |
// |                                       |                            |  paths (apachePathRefusal)    |                                |
//
// Sources: nginx src/http/ngx_http_parse.c (ngx_http_parse_request_line accepts only A-Z, _ and -
// in a method; ngx_http_parse_header_line skips only spaces around a value) and
// ngx_http_variables.c (1.22: $http_<name> is the first line of that name; from 1.23.0 repeated
// lines are joined with ", " — the model follows 1.22, the floor CI runs); large_client_header_buffers
// 4 8k. nginx answers an over-long header line with 400 after the lines before it were read, and its
// error response goes through the server-level add_header lines ("always"): those headers are the
// ones the policy gives the request made of the lines read so far (its `if … return` never ran).
// Apache server/protocol.c (ap_get_mime_headers_core merges repeated fields with ", ", strips
// spaces and tabs; LimitRequestLine / LimitRequestFieldSize 8190), the generated file reads them with
// req_novary(). Caddy 2.6.2 modules/caddyhttp/replacer.go (`{http.request.header.*}` is
// strings.Join(values, ",")) and matchers.go (header_regexp tries every value of the field); Go's
// net/textproto trims spaces and tabs and net/http allows 1 MiB of headers (then 431).
import type { PathRequest, PathTarget, PathVerdict } from './paths.js';
import { evaluate } from './evaluate.js';
import { evaluateAt, serverPath } from './paths.js';
import type { Policy } from './types.js';

/** A request as sent: header lines in order, names and values exactly as written. */
export interface WireRequest {
  method: string;
  /** The request target as sent: path, optional query. */
  target: string;
  headers: readonly (readonly [string, string])[];
}

export type ServerReading =
  | { kind: 'request'; request: PathRequest }
  /**
   * The server refuses the request itself, never forwarding it. `readSoFar`: the request made of
   * what the server had read when it refused (nginx's error response then carries the CORS headers
   * the policy gives it); null when no CORS header can be on the refusal.
   */
  | { kind: 'refused'; status: 400 | 414 | 431; reason: string; readSoFar: PathRequest | null };

/** Header lines a server reads as CORS input; all others are ignored by every target. */
const CORS_REQUEST_HEADERS = ['origin', 'access-control-request-method', 'access-control-request-headers', 'access-control-request-private-network'] as const;

/** nginx's large_client_header_buffers (4 8k): a request line or header line must fit one buffer. */
export const NGINX_LINE_LIMIT = 8192;
/** Apache's LimitRequestLine and LimitRequestFieldSize defaults. */
export const APACHE_LINE_LIMIT = 8190;
/** Go's http.DefaultMaxHeaderBytes (Caddy 2.6 sets no other) plus the 4096 bytes of slack net/http allows. */
export const CADDY_HEADER_LIMIT = (1 << 20) + 4096;

function trim(target: PathTarget, value: string): string {
  return target === 'nginx' ? value.replace(/^ +| +$/g, '') : value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** What the target's generated configuration reads for one CORS request header, or undefined (absent). */
function readHeader(target: PathTarget, name: (typeof CORS_REQUEST_HEADERS)[number], values: string[]): string | undefined {
  if (values.length === 0) return undefined;
  switch (target) {
    case 'nginx':
      return values[0];
    case 'apache':
      return values.join(', ');
    case 'caddy':
      // Presence is header_regexp `.` (some value is non-empty) or `^true$` (some value is "true");
      // the value reflected or looked up is the joined placeholder.
      if (name === 'access-control-request-private-network') return values.includes('true') ? 'true' : values.join(',');
      return values.some((v) => v !== '') ? values.join(',') : undefined;
  }
}

function readHeaders(target: PathTarget, lines: WireRequest['headers']): PathRequest['headers'] {
  const headers: Record<string, string | undefined> = {};
  for (const name of CORS_REQUEST_HEADERS) {
    const values = lines.filter(([n]) => n.toLowerCase() === name).map(([, v]) => trim(target, v));
    const value = readHeader(target, name, values);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

const requestLine = (w: WireRequest) => `${w.method} ${w.target} HTTP/1.1\r\n`;
const headerLine = ([n, v]: readonly [string, string]) => `${n}:${v}\r\n`;

/** The request the target's configuration sees, or the server's own refusal. */
export function serverRequest(target: PathTarget, wire: WireRequest): ServerReading {
  const request = (lines: WireRequest['headers']): PathRequest => ({ method: wire.method, target: wire.target, headers: readHeaders(target, lines) });
  switch (target) {
    case 'nginx': {
      if (!/^[A-Z_-]+$/.test(wire.method)) return { kind: 'refused', status: 400, reason: 'nginx accepts only A-Z, _ and - in a method', readSoFar: null };
      if (requestLine(wire).length > NGINX_LINE_LIMIT) return { kind: 'refused', status: 414, reason: 'request line longer than nginx\'s 8k buffer', readSoFar: null };
      const tooLong = wire.headers.findIndex((h) => headerLine(h).length > NGINX_LINE_LIMIT);
      // nginx checks the path (ngx_http_process_request_uri) before it reads a header line.
      if (tooLong >= 0 && serverPath('nginx', wire.target).kind === 'refused') return { kind: 'request', request: request([]) };
      if (tooLong >= 0) return { kind: 'refused', status: 400, reason: 'header line longer than nginx\'s 8k buffer', readSoFar: request(wire.headers.slice(0, tooLong)) };
      return { kind: 'request', request: request(wire.headers) };
    }
    case 'apache': {
      if (requestLine(wire).length - 2 > APACHE_LINE_LIMIT) return { kind: 'refused', status: 414, reason: 'request line over LimitRequestLine', readSoFar: null };
      if (wire.headers.some((h) => headerLine(h).length - 2 > APACHE_LINE_LIMIT)) return { kind: 'refused', status: 400, reason: 'header line over LimitRequestFieldSize', readSoFar: null };
      return { kind: 'request', request: request(wire.headers) };
    }
    case 'caddy': {
      const size = requestLine(wire).length + wire.headers.reduce((n, h) => n + headerLine(h).length, 0);
      if (size > CADDY_HEADER_LIMIT) return { kind: 'refused', status: 431, reason: 'headers over Go\'s 1 MiB limit', readSoFar: null };
      return { kind: 'request', request: request(wire.headers) };
    }
  }
}

/**
 * The policy as nginx applies it to `origin`: its exact origins are hashed map keys, which nginx
 * compares ignoring ASCII case, so an Origin equal to one of them but for case is accepted (and
 * reflected as sent). Wildcards and regexes are case-sensitive regex keys. The other targets
 * compare exact origins byte for byte.
 */
export function policyAsServerApplies(target: PathTarget, policy: Policy, origin: string | undefined): Policy {
  if (target !== 'nginx' || origin === undefined || policy.origins.kind !== 'list') return policy;
  const folded = origin.toLowerCase();
  const matchers = policy.origins.matchers;
  if (!matchers.some((m) => m.kind === 'exact' && m.origin !== origin && m.origin.toLowerCase() === folded)) return policy;
  return { ...policy, origins: { kind: 'list', matchers: [...matchers, { kind: 'exact', origin }] } };
}

export type WireVerdict =
  | PathVerdict
  /** The server's own refusal; `cors`: the verdict for what it had read, whose CORS headers the refusal carries (nginx), or null. */
  | { kind: 'server-error'; status: 400 | 404 | 414 | 431; reason: string; cors: PathVerdict | null };

function at(filePolicies: readonly Policy[], included: readonly Policy[], target: PathTarget, req: PathRequest): PathVerdict {
  const origin = req.headers['origin'];
  const applied = (p: Policy) => policyAsServerApplies(target, p, origin);
  const file = filePolicies.map(applied);
  const byName = new Map(file.map((p) => [p.name, p]));
  return evaluateAt(file, included.map((p) => byName.get(p.name) ?? applied(p)), target, req);
}

/**
 * Apache refuses a path (a dot-segment above the root, a malformed escape: 400; an encoded slash
 * or %00: 404) in ap_process_request_internal, after the post_read_request hooks, where the
 * generated SetEnvIfExpr lines have already run: the refusal carries the `Header always` lines of
 * the request. Where the file names paths they also need the IN flag, which mod_rewrite never set
 * (translate_name did not run), so only a file without paths shows this. Measured with
 * test/fuzz/probe.ts: `OPTIONS /../x` from an allowed Origin gets 400 with the preflight's
 * Access-Control-Allow-Origin, -Methods and -Headers.
 */
function apachePathRefusal(filePolicies: readonly Policy[], included: readonly Policy[], verdict: PathVerdict, req: PathRequest): WireVerdict {
  const fileHasPaths = filePolicies.some((p) => p.paths.length !== 1 || p.paths[0] !== '/');
  if (verdict.kind !== 'refused' || fileHasPaths || included.length === 0) return verdict;
  const policy = policyAsServerApplies('apache', included[0]!, req.headers['origin']);
  return { kind: 'server-error', status: verdict.status, reason: verdict.reason, cors: { kind: 'governed', path: '', policy, expected: evaluate(policy, req) } };
}

/**
 * Where the policies are included. nginx's refusal of an over-long header line goes through the
 * add_header lines of the server level only: no location was chosen, so files included inside a
 * location add nothing to it.
 */
export interface Inclusion {
  nginx: 'server' | 'location';
}

/** evaluateAt for a request as sent on the wire: the server's reading of it first (serverRequest). */
export function evaluateWireAt(
  filePolicies: readonly Policy[],
  included: readonly Policy[],
  target: PathTarget,
  wire: WireRequest,
  inclusion: Inclusion = { nginx: 'server' },
): WireVerdict {
  const reading = serverRequest(target, wire);
  if (reading.kind === 'request') {
    const verdict = at(filePolicies, included, target, reading.request);
    return target === 'apache' ? apachePathRefusal(filePolicies, included, verdict, reading.request) : verdict;
  }
  const cors = reading.readSoFar === null || inclusion.nginx === 'location' ? null : at(filePolicies, included, target, reading.readSoFar);
  return { kind: 'server-error', status: reading.status, reason: reading.reason, cors };
}
