// The response plan: every per-request decision of docs/contract.md §2 (which header, which value, on which
// kind of request, for which path), made once from the normalized model. Each target renders it with
// its own mechanism (nginx maps, Apache `Header … env=`, Caddy matchers); none decides anything again.
// The reference evaluator (src/model/evaluate.ts) stays independent: test/unit/plan checks that this
// plan, interpreted, answers every request of the matrix exactly as the evaluator does.
import type { CorsResponseHeader } from '../model/types.js';
import type { ProxyPlan } from './proxy.js';

/** The two kinds of request from an allowed origin that get CORS headers. */
export type Stage = 'preflight' | 'actual';

/** Request headers whose value a response header may carry. */
export type ReflectedRequestHeader = 'Origin' | 'Access-Control-Request-Method' | 'Access-Control-Request-Headers';

export type HeaderValue =
  /** A constant. */
  | { kind: 'literal'; text: string }
  /** The request's Origin, byte for byte. */
  | { kind: 'origin' }
  /**
   * The listed names joined with `, `, then the request header's value as one more element when it
   * is non-empty (`reflect`); the header is omitted when both are empty.
   */
  | { kind: 'list'; listed: readonly string[]; reflect: Exclude<ReflectedRequestHeader, 'Origin'> | null };

export interface HeaderPlan {
  name: CorsResponseHeader;
  /** Sent on allowed preflights, or on allowed actual requests. */
  on: Stage;
  value: HeaderValue;
  /** Sent only when the request carries this header with exactly this value. */
  onlyIf?: { header: 'Access-Control-Request-Private-Network'; equals: 'true' };
}

/**
 * A subdomain wildcard with a fixed port, `scheme://*.suffix[:port]`: the origins
 * `scheme://<one or more DNS labels>.suffix[:port]`, where a label is `[a-z0-9]`, or `[a-z0-9]`,
 * up to 61 of `[a-z0-9-]` and `[a-z0-9]` (the regex's own definition). For servers that can look
 * host suffixes up by hash (nginx `map … hostnames`).
 */
export interface SubdomainWildcard {
  scheme: 'http' | 'https';
  /** The host under the wildcard, e.g. `example.com` for `https://*.example.com`. */
  suffix: string;
  /** The explicit port, or null for none (the scheme's default). */
  port: number | null;
}

export interface OriginRegex {
  written: string;
  regex: string;
  /** Set when the entry is a subdomain wildcard with a fixed port: the same set as `regex`, as parts. */
  wildcard?: SubdomainWildcard;
}

/** How a target finds out whether the Origin is allowed. */
export type OriginLookup =
  | { kind: 'any' }
  | {
      kind: 'list';
      /** Exact origins, for the server's hashed (or at least plain string) lookup. */
      exact: readonly string[];
      /** Wildcard entries and user regexes as anchored regexes (PCRE and RE2 alike), in policy order. */
      regexes: readonly OriginRegex[];
    };

export interface OriginRegex {
  written: string;
  regex: string;
  /**
   * Set when the regex accepts exactly `<scheme>://<one or more DNS labels, each followed by a
   * dot><suffix>`, where `suffix` (the entry's host and fixed port, e.g. `example.com:8443`) is
   * compared byte for byte: a server can then look the origin's last labels up by hash.
   */
  subdomainsOf?: { scheme: string; suffix: string };
}

export interface PolicyPlan {
  name: string;
  /** Path prefixes the policy governs (`/` when every path). */
  paths: readonly string[];
  origins: OriginLookup;
  /** Answered by the server itself, never forwarded. `refused` is null when no origin is refused. */
  answers: { allowed: 204; refused: 403 | null };
  /** Headers for requests from an allowed origin, in the order they are emitted. */
  headers: readonly HeaderPlan[];
  /** Added to every response the policy governs, beside the application's own Vary. */
  vary: 'Origin';
  /** Removed from the application's responses. */
  strip: readonly CorsResponseHeader[];
  /** Proxy mode (docs/contract.md §6): where governed requests go, or null (the user's own forwarding). */
  proxy: ProxyPlan | null;
}

/** One prefix of one policy; a request is governed by the route with the longest matching prefix. */
export interface Route {
  prefix: string;
  policy: string;
}

export interface ResponsePlan {
  policies: readonly PolicyPlan[];
  /**
   * Whether the file names paths (docs/contract.md §2a). When false every policy governs every path it is
   * included at, and `routes` (each policy at `/`) decides nothing.
   */
  pathScoped: boolean;
  /** Longest prefix first; among equal prefixes (refused by the checks), file order. */
  routes: readonly Route[];
}
