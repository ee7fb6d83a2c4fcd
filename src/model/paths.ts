// Path-scoped policies (docs/contract.md §2a) in the reference evaluator: the path a server routes
// on, which policy of a file governs it, and what a whole file's policies, included together at one
// level, answer at any path.
//
// The path compared is the one the server normalizes to choose a location or route, never the raw
// request target. Each server normalizes differently; its reading (src/model/reading.ts) models it,
// measured with curl --path-as-is on Debian bookworm, its column of this table in its own file
// (src/targets/<t>/reading.ts; serve's in src/serve/request-path.ts), the whole table pinned in
// test/unit/model/paths.test.ts:
//
// | raw request target          | nginx ($uri)   | Apache (mod_rewrite) | Caddy (path matcher)       | serve          |
// |-----------------------------|----------------|----------------------|----------------------------|----------------|
// | /public/../api/x            | /api/x         | /api/x               | /api/x                     | /api/x         |
// | /public/%2e%2e/api/x        | /api/x         | /api/x               | /api/x                     | /api/x         |
// | //api/x, /./api/x           | /api/x         | /api/x               | /api/x                     | /api/x         |
// | /api%2Fx                    | /api/x         | 404 (encoded slash)  | /api/x                     | 400            |
// | /public%2F..%2Fapi/x        | /api/x         | 404 (encoded slash)  | /api/x                     | 400            |
// | /api/x%00                   | 400            | 404                  | /api/x\0                   | 400            |
// | /api/x%zz, /api/x%          | 400            | 400                  | 400                        | 400            |
// | /.. , /a/../../x            | 400            | 400                  | / , /x (clamped at the root) | 400          |
// | /api/x/..                   | /api/          | /api/                | /api/x/ (dots trimmed first) | /api/        |
// | /api/..                     | /              | /                    | /api/ (trailing dots trimmed first) | /     |
// | /api/x%20                   | "/api/x "      | "/api/x "            | /api/x (trailing spaces trimmed) | "/api/x " |
// | /API/x                      | /API/x         | /API/x               | /API/x, compared ignoring case | /API/x     |
//
// These are the servers' defaults: nginx merge_slashes on, Apache MergeSlashes On and
// AllowEncodedSlashes Off.
import type { ExpectedResponse, CorsRequest } from './evaluate.js';
import { evaluate } from './evaluate.js';
import { refusedPath } from './path-normalize.js';
import type { PathReading, ServerPath, ServerReading } from './reading.js';
import type { Policy } from './types.js';

export type { PathReading, ServerPath, ServerReading } from './reading.js';

/**
 * The normalized path `reading`'s server routes a request on, from the raw request target as sent
 * (origin form, query allowed), or the server's own refusal.
 */
export function serverPath(reading: PathReading, requestTarget: string): ServerPath {
  const q = requestTarget.indexOf('?');
  const raw = q < 0 ? requestTarget : requestTarget.slice(0, q);
  if (!raw.startsWith('/')) return refusedPath(400, 'the request target is not a path');
  return reading.path(raw);
}

/** The longest of `prefixes` that `path` starts with (per the reading's case rule), or null. */
export function longestPrefix(prefixes: readonly string[], path: string, reading: PathReading): string | null {
  const fold = reading.pathsIgnoreCase;
  const p = fold ? path.toLowerCase() : path;
  let best: string | null = null;
  for (const prefix of prefixes) {
    if (p.startsWith(fold ? prefix.toLowerCase() : prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  return best;
}

/** The longest of `policy`'s prefixes that `path` starts with (per the reading's case rule), or null. */
export function matchingPrefix(policy: Policy, path: string, reading: PathReading): string | null {
  return longestPrefix(policy.paths, path, reading);
}

/**
 * The policy with the longest prefix that `path` (already normalized by serverPath) starts with,
 * or null when none matches. Policies without `paths` have the prefix `/`; when several share the
 * longest prefix (only `/` can be shared within one valid file), the first in file order.
 */
export function governingPolicy(policies: readonly Policy[], path: string, reading: PathReading): Policy | null {
  let best: { policy: Policy; length: number } | null = null;
  for (const policy of policies) {
    const prefix = matchingPrefix(policy, path, reading);
    if (prefix !== null && (best === null || prefix.length > best.length)) best = { policy, length: prefix.length };
  }
  return best?.policy ?? null;
}

/**
 * Whether `policy` governs `path` in the generated configuration, where the policies of one file
 * divide the paths among themselves: its longest matching prefix is at least as long as that of
 * every policy of the file (policies that share `/` each govern what no longer prefix claims).
 * The decision looks at the whole file, whether or not the other policies are included: nginx
 * answers a preflight at the first included file, before it could know which others follow.
 */
export function governs(policy: Policy, filePolicies: readonly Policy[], path: string, reading: PathReading): boolean {
  const own = matchingPrefix(policy, path, reading);
  if (own === null) return false;
  return filePolicies.every((other) => other === policy || (matchingPrefix(other, path, reading)?.length ?? -1) <= own.length);
}

/** A request that reaches the server at a path. */
export interface PathRequest extends CorsRequest {
  /** The request target as sent: path, optional query. */
  target: string;
}

export type PathVerdict =
  /** The server refused the request target itself: not forwarded, no Access-Control-* header. */
  | { kind: 'refused'; status: 400 | 404; reason: string }
  /** No included policy governs the path: forwarded untouched (no CORS header or Vary added). */
  | { kind: 'passed'; path: string; appCorsHeaders: 'removed' | 'passed' }
  /** `policy` governs the path: the response evaluate() gives. */
  | { kind: 'governed'; path: string; policy: Policy; expected: ExpectedResponse };

/**
 * What a server answers when `included` (policies of the file `filePolicies`, included together
 * at one level of one server block, virtual host or site) see `req`.
 */
export function evaluateAt(filePolicies: readonly Policy[], included: readonly Policy[], reading: ServerReading, req: PathRequest): PathVerdict {
  const sp = serverPath(reading, req.target);
  if (sp.kind === 'refused') return sp;
  const policy = included.find((p) => governs(p, filePolicies, sp.path, reading));
  if (!policy) return { kind: 'passed', path: sp.path, appCorsHeaders: reading.ungovernedAppCorsHeaders };
  return { kind: 'governed', path: sp.path, policy, expected: evaluate(policy, req) };
}
