// serve's bounds: every wait has a time-out, and no body is ever held in memory (both directions
// are streamed with back-pressure), so a slow or stuck peer costs one socket for a bounded time.
export interface Limits {
  readonly clientHeadersMs: number;
  readonly clientRequestMs: number;
  readonly clientIdleMs: number;
  readonly clientKeepAliveMs: number;
  readonly checkIntervalMs: number;
  readonly upstreamIdleMs: number;
  readonly upstreamMaxSockets: number;
  readonly drainMs: number;
}

export const LIMITS: Limits = {
  /** A client must send its request headers within this time (slow-loris). */
  clientHeadersMs: 20_000,
  /** A whole request (headers and body) from the client. */
  clientRequestMs: 120_000,
  /** A client socket with no traffic in either direction is closed. */
  clientIdleMs: 60_000,
  /** Idle keep-alive connections from clients. */
  clientKeepAliveMs: 5_000,
  /** How often Node checks the two request time-outs above (its default is 30 s). */
  checkIntervalMs: 1_000,
  /** The upstream socket with no traffic in either direction (connecting included) → 502 or abort. */
  upstreamIdleMs: 30_000,
  /** Connections kept open to the upstream. */
  upstreamMaxSockets: 256,
  /** After SIGINT/SIGTERM, requests in flight get this long before their connections are closed. */
  drainMs: 25_000,
};
