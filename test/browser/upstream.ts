// The application behind the servers in the browser suite. Like test/harness/upstream.ts it sends its
// own Access-Control-* headers and a Vary on every response (the generated configs must remove them),
// and it also records every request it sees with its Cookie header, sends one header the policies
// expose and two they do not, can set a cookie and can ask for a password (WWW-Authenticate). Every path is /status/<code>[/<label>]: the
// Caddy test sites proxy only /status/* (see test/servers/caddy.driver.ts).
import { AUTH_CHALLENGE_PATH } from './engine.js';
import { listenOnLoopback, setUpstreamHeaders, statusOf, UPSTREAM_CORS_HEADERS } from '../harness/upstream.js';

export const EXPOSED_HEADER = 'X-Exposed';
export const EXPOSED_VALUE = 'exposed-value';
export const HIDDEN_HEADER = 'X-Hidden';
/** The header the upstream's own Access-Control-Expose-Headers names. */
export const UPSTREAM_SECRET_HEADER = UPSTREAM_CORS_HEADERS['Access-Control-Expose-Headers']!;
/** A path ending in this label answers with a Set-Cookie of LATE_COOKIE. */
export const SET_COOKIE_LABEL = 'set-cookie';
export const LATE_COOKIE = 'late=from-upstream';
/** Sent with every answer to a path containing AUTH_CHALLENGE_PATH (e.g. /status/401/auth-challenge/x). */
export const AUTH_CHALLENGE = 'Basic realm="cors-gen test", charset="UTF-8"';

export interface SeenRequest {
  method: string;
  path: string;
  cookie: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface BrowserUpstream {
  port: number;
  seen: SeenRequest[];
  /** Requests of `method` to `path` (query ignored) that reached the upstream. */
  count(method: string, path: string): number;
  /** The requests to `path` (query ignored). */
  to(path: string): SeenRequest[];
  close(): Promise<void>;
}

const pathOf = (url: string) => url.split('?')[0]!;

export async function startBrowserUpstream(): Promise<BrowserUpstream> {
  const seen: SeenRequest[] = [];
  const server = await listenOnLoopback((req, res) => {
    const url = req.url ?? '/';
    seen.push({ method: req.method ?? '', path: pathOf(url), cookie: req.headers.cookie, headers: req.headers });
    const status = statusOf(url);
    setUpstreamHeaders(res);
    res.setHeader(EXPOSED_HEADER, EXPOSED_VALUE);
    res.setHeader(HIDDEN_HEADER, 'hidden-value');
    res.setHeader(UPSTREAM_SECRET_HEADER, 'upstream-secret');
    res.setHeader('Cache-Control', 'no-store');
    if (pathOf(url).endsWith(`/${SET_COOKIE_LABEL}`)) res.setHeader('Set-Cookie', `${LATE_COOKIE}; Path=/; Secure; SameSite=None`);
    if (pathOf(url).includes(AUTH_CHALLENGE_PATH)) res.setHeader('WWW-Authenticate', AUTH_CHALLENGE);
    req.resume();
    req.on('end', () => res.writeHead(status).end(`upstream ${status} ${req.method} ${pathOf(url)}\n`));
  });
  return {
    port: server.port,
    seen,
    count: (method, path) => seen.filter((r) => r.method === method && r.path === path).length,
    to: (path) => seen.filter((r) => r.path === path),
    close: server.close,
  };
}
