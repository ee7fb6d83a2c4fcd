// Path-scoped policies (docs/contract.md §2a) in the reference evaluator: the path each server routes on,
// which policy of a file governs it, and what a whole file's policies, included together at one
// level, answer at any path.
//
// The path compared is the one the server normalizes to choose a location or route, never the raw
// request target. Each server normalizes differently; serverPath models each one, measured on
// Debian bookworm (nginx 1.22.1, Apache 2.4.71, Caddy 2.6.2) with curl --path-as-is:
//
// | raw request target          | nginx ($uri)   | Apache (mod_rewrite) | Caddy (path matcher)       |
// |-----------------------------|----------------|----------------------|----------------------------|
// | /public/../api/x            | /api/x         | /api/x               | /api/x                     |
// | /public/%2e%2e/api/x        | /api/x         | /api/x               | /api/x                     |
// | //api/x, /./api/x           | /api/x         | /api/x               | /api/x                     |
// | /api%2Fx                    | /api/x         | 404 (encoded slash)  | /api/x                     |
// | /public%2F..%2Fapi/x        | /api/x         | 404 (encoded slash)  | /api/x                     |
// | /api/x%00                   | 400            | 404                  | /api/x\0                   |
// | /api/x%zz, /api/x%          | 400            | 400                  | 400                        |
// | /.. , /a/../../x            | 400            | 400                  | / , /x (clamped at the root) |
// | /api/x/..                   | /api/          | /api/                | /api/x/ (dots trimmed first) |
// | /api/..                     | /              | /                    | /api/ (trailing dots trimmed first) |
// | /api/x%20                   | "/api/x "      | "/api/x "            | /api/x (trailing spaces trimmed) |
// | /API/x                      | /API/x         | /API/x               | /API/x, compared ignoring case |
//
// nginx decodes every %XX and then merges slashes and removes dot-segments on the decoded bytes
// (ngx_http_parse_complex_uri), so an encoded slash or dot counts as a real one. Apache
// (AllowEncodedSlashes Off, the default) answers 404 to an encoded slash and to %00 before any
// module sees the request, else decodes, merges slashes (MergeSlashes On) and removes
// dot-segments. Caddy 2.6.2's path matcher (modules/caddyhttp/matchers.go MatchPath.Match, tag
// v2.6.2) lower-cases Go's decoded URL.Path, trims trailing dots and spaces
// (strings.TrimRight(p, ". ")) and cleans it with path.Clean, keeping a trailing slash
// (caddyhttp.go cleanPath); Go's server refuses a malformed escape with 400. (From v2.7.0 Caddy
// trims dots and spaces only on Windows, caddyserver/caddy #5613; the model follows 2.6.2, the
// floor CI runs.) These are the servers' defaults: nginx merge_slashes on, Apache MergeSlashes On
// and AllowEncodedSlashes Off.
import type { ExpectedResponse, CorsRequest } from './evaluate.js';
import type { TargetName } from '../targets/registry.js';
import { evaluate } from './evaluate.js';
import type { Policy } from './types.js';

/** A target whose path reading the evaluator models (src/targets/registry.ts lists them). */
export type PathTarget = TargetName;

/** The path a server routes a request on, or the server's own refusal of the request target. */
export type ServerPath =
  | { kind: 'path'; path: string }
  | { kind: 'refused'; status: 400 | 404; reason: string };

const refused = (status: 400 | 404, reason: string): ServerPath => ({ kind: 'refused', status, reason });

/** The path part of an origin-form request target (`/a/b?q` → `/a/b`). */
function rawPath(requestTarget: string): string {
  const q = requestTarget.indexOf('?');
  return q < 0 ? requestTarget : requestTarget.slice(0, q);
}

/** Percent-decodes bytes to a latin1 string (one char per byte), or null on a malformed escape. */
function percentDecode(raw: string): string | null {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/**
 * Merges repeated slashes, then removes `.` and `..` segments (RFC 3986 §5.2.4), as nginx and
 * Apache do; null when a `..` would climb above the root (both answer 400). A trailing `.` or `..`
 * leaves a trailing slash (`/api/x/..` → `/api/`).
 */
function mergeAndRemoveDots(path: string): string | null {
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

/** Go's path.Clean on a rooted path, keeping a trailing slash (Caddy 2.6.2's cleanPath). */
function caddyClean(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  const cleaned = `/${out.join('/')}`;
  return cleaned !== '/' && p.endsWith('/') ? `${cleaned}/` : cleaned;
}

/**
 * The normalized path `target` routes a request on, from the raw request target as sent (origin
 * form, query allowed), or the server's own refusal. Measured facts: see the table above.
 */
export function serverPath(target: PathTarget, requestTarget: string): ServerPath {
  const raw = rawPath(requestTarget);
  if (!raw.startsWith('/')) return refused(400, 'not an origin-form request target');
  if (target === 'apache' && /%2f/i.test(raw)) return refused(404, 'Apache refuses an encoded slash (AllowEncodedSlashes Off)');
  const decoded = percentDecode(raw);
  if (decoded === null) return refused(400, 'malformed percent-encoding');
  switch (target) {
    case 'nginx':
    case 'apache': {
      if (decoded.includes('\u0000')) return target === 'nginx' ? refused(400, 'nginx refuses %00') : refused(404, 'Apache refuses %00');
      const path = mergeAndRemoveDots(decoded);
      return path === null ? refused(400, 'a dot-segment climbs above the root') : { kind: 'path', path };
    }
    case 'caddy':
      return { kind: 'path', path: caddyClean(decoded.replace(/[. ]+$/, '')) };
  }
}

/** Whether a server compares a path with a prefix ignoring case (Caddy's path matcher does). */
export const PATHS_IGNORE_CASE: Readonly<Record<PathTarget, boolean>> = { nginx: false, apache: false, caddy: true };

/**
 * What happens to the application's own Access-Control-* headers at a path no included policy
 * governs: nginx's proxy_hide_header and Caddy's header_down cannot depend on the path, so they
 * are removed there too; Apache's `Header unset` lines carry the policy's path condition, so the
 * response passes untouched.
 */
export const UNGOVERNED_APP_CORS_HEADERS: Readonly<Record<PathTarget, 'removed' | 'passed'>> = {
  nginx: 'removed',
  apache: 'passed',
  caddy: 'removed',
};

/** The longest of `policy`'s prefixes that `path` starts with (per the target's case rule), or null. */
export function matchingPrefix(policy: Policy, path: string, target: PathTarget): string | null {
  const fold = PATHS_IGNORE_CASE[target];
  const p = fold ? path.toLowerCase() : path;
  let best: string | null = null;
  for (const prefix of policy.paths) {
    if (p.startsWith(fold ? prefix.toLowerCase() : prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  return best;
}

/**
 * The policy with the longest prefix that `path` (already normalized by serverPath) starts with,
 * or null when none matches. Policies without `paths` have the prefix `/`; when several share the
 * longest prefix (only `/` can be shared within one valid file), the first in file order.
 */
export function governingPolicy(policies: readonly Policy[], path: string, target: PathTarget): Policy | null {
  let best: { policy: Policy; length: number } | null = null;
  for (const policy of policies) {
    const prefix = matchingPrefix(policy, path, target);
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
export function governs(policy: Policy, filePolicies: readonly Policy[], path: string, target: PathTarget): boolean {
  const own = matchingPrefix(policy, path, target);
  if (own === null) return false;
  return filePolicies.every((other) => other === policy || (matchingPrefix(other, path, target)?.length ?? -1) <= own.length);
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
export function evaluateAt(filePolicies: readonly Policy[], included: readonly Policy[], target: PathTarget, req: PathRequest): PathVerdict {
  const sp = serverPath(target, req.target);
  if (sp.kind === 'refused') return sp;
  const policy = included.find((p) => governs(p, filePolicies, sp.path, target));
  if (!policy) return { kind: 'passed', path: sp.path, appCorsHeaders: UNGOVERNED_APP_CORS_HEADERS[target] };
  return { kind: 'governed', path: sp.path, policy, expected: evaluate(policy, req) };
}
