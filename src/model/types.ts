// The normalized policy: what every target renders and what the reference evaluator interprets.
// Built only from a policy that passed every check, so its invariants hold by construction.

export type Scheme = 'http' | 'https';

/** A host as it appears in a serialized origin: a DNS name, an IPv4 address or a bracketed IPv6 address. */
export type Host =
  | { kind: 'dns'; name: string }
  | { kind: 'ipv4'; address: string }
  | { kind: 'ipv6'; address: string }; // with brackets, e.g. "[::1]"

/** Port part of an origin entry: none (the scheme's default), one port, or any port (`:*`). */
export type PortSpec = { kind: 'default' } | { kind: 'port'; port: number } | { kind: 'any' };

export type OriginMatcher =
  /** One serialized origin, compared byte for byte (hash lookups where the server has them). */
  | { kind: 'exact'; origin: string }
  /**
   * `scheme://host[:port]` with `*.` in front of the host (one or more DNS labels, any depth)
   * and/or `:*` as the port. At least one of the two wildcards is present.
   */
  | { kind: 'pattern'; scheme: Scheme; host: Host; subdomains: boolean; port: PortSpec; written: string }
  /** A user regex, anchored `^…$`, in the syntax PCRE and RE2 share. */
  | { kind: 'regex'; source: string };

export type OriginSet = { kind: 'any' } | { kind: 'list'; matchers: readonly OriginMatcher[] };

/**
 * A comma-separated response header built from the policy. With credentials, `*` in methods or
 * allowHeaders cannot be sent literally (Fetch: it is a wildcard only for uncredentialed requests),
 * so the request's own `Access-Control-Request-*` value is reflected after the listed names.
 */
export interface ListHeader {
  readonly listed: readonly string[];
  readonly reflectRequest: boolean;
}

export interface Policy {
  readonly name: string;
  readonly origins: OriginSet;
  readonly credentials: boolean;
  /** Access-Control-Allow-Methods on allowed preflights; reflects Access-Control-Request-Method. */
  readonly allowMethods: ListHeader;
  /** Access-Control-Allow-Headers on allowed preflights; reflects Access-Control-Request-Headers. */
  readonly allowHeaders: ListHeader;
  /** Access-Control-Expose-Headers on allowed actual responses; never reflects. */
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number | null;
  readonly privateNetwork: boolean;
  /**
   * Path prefixes the policy governs (docs/contract.md §2a), each starting with `/`, in file order; `['/']`
   * when the file names none (every path). Among the policies of one file, the longest matching
   * prefix of the normalized request path wins.
   */
  readonly paths: readonly string[];
  /** Proxy mode (docs/contract.md §6): the API every governed request is forwarded to; null otherwise. */
  readonly upstream: Upstream | null;
}

/** A checked `upstream` (docs/contract.md §1, §6). */
export interface Upstream {
  /** The URL as written, e.g. `https://api.weather.example/v1/`. */
  readonly url: string;
  readonly scheme: Scheme;
  /** Host as in a URL: a DNS name, an IPv4 address or a bracketed IPv6 address. */
  readonly host: string;
  /** The explicit port, or null for the scheme's default. */
  readonly port: number | null;
  /** The URL's path, always ending in `/` (docs/contract.md §6: taken to end with `/`). */
  readonly basePath: string;
  /** Absolute path of a CA file to verify the upstream with; null: the system trust store. */
  readonly ca: string | null;
}

export interface PolicySet {
  readonly version: 1;
  /** In file order. */
  readonly policies: readonly Policy[];
}

/** Every response header name the CORS protocol defines; upstream copies of these are removed. */
export const CORS_RESPONSE_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Max-Age',
  'Access-Control-Expose-Headers',
  'Access-Control-Allow-Private-Network',
] as const;
export type CorsResponseHeader = (typeof CORS_RESPONSE_HEADERS)[number];
