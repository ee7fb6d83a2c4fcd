// How a server reads a request as it arrives on the wire, before any generated configuration sees
// it (docs/contract.md §2: "where the servers themselves read a request differently, each target
// follows its own server, the evaluator models the difference per target"). serverRequest turns the
// raw request (header lines in order, names and values as sent) into what the target's CORS logic
// reads, or into the server's own refusal; evaluateWireAt then asks evaluateAt (paths.ts), so for a
// well-formed request (one line per header, no surrounding whitespace) nothing changes.
//
// Each server's facts are its reading (src/model/reading.ts, ServerReading), in its own folder
// (src/targets/<t>/reading.ts) with its column of this table and its sources. Measured on Debian
// bookworm (nginx 1.22.1, Apache 2.4.x, Caddy 2.6.2) with raw sockets (test/fuzz/probe.ts prints the
// table; test/fuzz/*.fuzz.test.ts pins it at scale):
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
// |                                       |                            |  paths (pathRefusalCarriesCors)|                               |
import type { PathRequest, PathVerdict } from './paths.js';
import { evaluate } from './evaluate.js';
import { evaluateAt } from './paths.js';
import { CORS_REQUEST_HEADERS, type ServerReading, type WireRequest } from './reading.js';
import type { Policy } from './types.js';

export type { WireRequest } from './reading.js';

export type WireReading =
  | { kind: 'request'; request: PathRequest }
  /**
   * The server refuses the request itself, never forwarding it. `readSoFar`: the request made of
   * what the server had read when it refused (nginx's error response then carries the CORS headers
   * the policy gives it); null when no CORS header can be on the refusal.
   */
  | { kind: 'refused'; status: 400 | 414 | 431; reason: string; readSoFar: PathRequest | null };

const TRIM = { spaces: /^ +| +$/g, 'spaces-and-tabs': /^[ \t]+|[ \t]+$/g } as const;

function readHeaders(reading: ServerReading, lines: WireRequest['headers']): PathRequest['headers'] {
  const headers: Record<string, string | undefined> = {};
  const trim = TRIM[reading.valueTrim];
  for (const name of CORS_REQUEST_HEADERS) {
    const values = lines.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.replace(trim, ''));
    const value = values.length === 0 ? undefined : reading.header(name, values);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** The request `reading`'s server hands its configuration, or the server's own refusal. */
export function serverRequest(reading: ServerReading, wire: WireRequest): WireReading {
  const request = (lines: WireRequest['headers']): PathRequest => ({ method: wire.method, target: wire.target, headers: readHeaders(reading, lines) });
  const read = reading.lines(wire);
  if (read.kind === 'read') return { kind: 'request', request: request(wire.headers.slice(0, read.lines)) };
  return { kind: 'refused', status: read.status, reason: read.reason, readSoFar: read.linesRead === null ? null : request(wire.headers.slice(0, read.linesRead)) };
}

/**
 * The policy as the server applies it to `origin`: where exact origins are compared ignoring ASCII
 * case (nginx's hashed map keys), an Origin equal to one of them but for case is accepted (and
 * reflected as sent). Wildcards and regexes stay case-sensitive. Elsewhere exact origins are
 * compared byte for byte.
 */
export function policyAsServerApplies(reading: ServerReading, policy: Policy, origin: string | undefined): Policy {
  if (!reading.exactOriginsIgnoreCase || origin === undefined || policy.origins.kind !== 'list') return policy;
  const folded = origin.toLowerCase();
  const matchers = policy.origins.matchers;
  if (!matchers.some((m) => m.kind === 'exact' && m.origin !== origin && m.origin.toLowerCase() === folded)) return policy;
  return { ...policy, origins: { kind: 'list', matchers: [...matchers, { kind: 'exact', origin }] } };
}

export type WireVerdict =
  | PathVerdict
  /** The server's own refusal; `cors`: the verdict for what it had read, whose CORS headers the refusal carries (nginx), or null. */
  | { kind: 'server-error'; status: 400 | 404 | 414 | 431; reason: string; cors: PathVerdict | null };

function at(filePolicies: readonly Policy[], included: readonly Policy[], reading: ServerReading, req: PathRequest): PathVerdict {
  const origin = req.headers['origin'];
  const applied = (p: Policy) => policyAsServerApplies(reading, p, origin);
  const file = filePolicies.map(applied);
  const byName = new Map(file.map((p) => [p.name, p]));
  return evaluateAt(file, included.map((p) => byName.get(p.name) ?? applied(p)), reading, req);
}

/**
 * A server whose generated lines run before it refuses the path (Apache, see its reading) sends
 * the CORS headers of the request on the refusal. Where the file names paths they also need a flag
 * set by path matching, which never ran, so only a file without paths shows this.
 */
function pathRefusal(filePolicies: readonly Policy[], included: readonly Policy[], reading: ServerReading, verdict: PathVerdict, req: PathRequest): WireVerdict {
  const fileHasPaths = filePolicies.some((p) => p.paths.length !== 1 || p.paths[0] !== '/');
  if (!reading.pathRefusalCarriesCors || verdict.kind !== 'refused' || fileHasPaths || included.length === 0) return verdict;
  const policy = policyAsServerApplies(reading, included[0]!, req.headers['origin']);
  return { kind: 'server-error', status: verdict.status, reason: verdict.reason, cors: { kind: 'governed', path: '', policy, expected: evaluate(policy, req) } };
}

/**
 * Where the policies are included. A refusal of the header lines (nginx's over-long line) goes
 * through the header edits of the server level only: no location was chosen, so files included
 * inside a location add nothing to it.
 */
export type InclusionLevel = 'server' | 'location';

/** evaluateAt for a request as sent on the wire: the server's reading of it first (serverRequest). */
export function evaluateWireAt(
  filePolicies: readonly Policy[],
  included: readonly Policy[],
  reading: ServerReading,
  wire: WireRequest,
  level: InclusionLevel = 'server',
): WireVerdict {
  const read = serverRequest(reading, wire);
  if (read.kind === 'request') return pathRefusal(filePolicies, included, reading, at(filePolicies, included, reading, read.request), read.request);
  const cors = read.readSoFar === null || level === 'location' ? null : at(filePolicies, included, reading, read.readSoFar);
  return { kind: 'server-error', status: read.status, reason: read.reason, cors };
}
