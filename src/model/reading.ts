// What a server does with a request before any generated configuration sees it, as one value per
// server: each target's reading is data in its own folder (src/targets/<t>/reading.ts) and serve's
// in src/serve/request-path.ts. The evaluator (paths.ts, server-request.ts) takes a reading as a
// parameter and never a target name, so it stays free of views and templates; the shared
// algorithms the readings compose (percent-decoding, dot-segment removal, Go's path.Clean) are in
// path-normalize.ts. docs/adding-a-target.md says what a new reading must measure.
/** The path a server routes a request on, or the server's own refusal of the request target. */
export type ServerPath =
  | { kind: 'path'; path: string }
  | { kind: 'refused'; status: 400 | 404; reason: string };

/** A request as sent: header lines in order, names and values exactly as written. */
export interface WireRequest {
  method: string;
  /** The request target as sent: path, optional query. */
  target: string;
  headers: readonly (readonly [string, string])[];
}

/** Header lines a server reads as CORS input; all others are ignored by every target. */
export const CORS_REQUEST_HEADERS = ['origin', 'access-control-request-method', 'access-control-request-headers', 'access-control-request-private-network'] as const;
export type CorsRequestHeader = (typeof CORS_REQUEST_HEADERS)[number];

/** How a reader turns the path of a request target into the path it routes on. */
export interface PathReading {
  /** Who reads: a --target value, or `serve`. */
  readonly reader: string;
  /**
   * The normalized path routed on, from the raw path as sent (before any `?`, starting with `/`),
   * or the reader's own refusal of it.
   */
  path(rawPath: string): ServerPath;
  /** Whether a path is compared with a prefix ignoring case. */
  readonly pathsIgnoreCase: boolean;
}

/** How much of a request as sent the server reads before its configuration runs. */
export type LinesRead =
  /** The configuration sees the request line and the first `lines` header lines. */
  | { kind: 'read'; lines: number }
  /**
   * The server refuses the request itself, never forwarding it. `linesRead`: the header lines it
   * had read when it refused, whose CORS headers its error response carries (nginx), or null when
   * no CORS header can be on the refusal.
   */
  | { kind: 'refused'; status: 400 | 414 | 431; reason: string; linesRead: number | null };

/** One server's reading of a request: its path, its header lines, its own refusals. */
export interface ServerReading extends PathReading {
  /**
   * What happens to the application's own Access-Control-* headers at a path no included policy
   * governs: removed where the server's header edits cannot depend on the path.
   */
  readonly ungovernedAppCorsHeaders: 'removed' | 'passed';
  /** Which whitespace the server's header parser strips around a value. */
  readonly valueTrim: 'spaces' | 'spaces-and-tabs';
  /**
   * What the generated configuration reads for one CORS request header from its lines' values
   * (trimmed, in order, at least one), or undefined: absent.
   */
  header(name: CorsRequestHeader, values: readonly string[]): string | undefined;
  /** How far the server reads `wire` before the configuration sees it (line limits, methods). */
  lines(wire: WireRequest): LinesRead;
  /** Whether exact origins are compared ignoring ASCII case (and the Origin reflected as sent). */
  readonly exactOriginsIgnoreCase: boolean;
  /**
   * Whether a refusal of the path carries the CORS headers of the request when the file names no
   * paths (the generated lines ran before the server refused).
   */
  readonly pathRefusalCarriesCors: boolean;
}
