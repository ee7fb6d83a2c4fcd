// serve's request handler: the policy decided by the reference evaluator, governed requests
// forwarded to the one upstream (docs/contract.md §2, §2a, §3b, §6).
import { request as httpRequest, type Agent as HttpAgent, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ExpectedResponse } from '../model/evaluate.js';
import type { Policy, Upstream } from '../model/types.js';
import { decide, mergeVary, pushCorsHeaders } from './cors-headers.js';
import { connectionTokens, forwardRequestHeaders, passesResponseHeader } from './forward-headers.js';
import type { RequestLog } from './log-line.js';
import { governingPrefix, readRequestPath } from './request-path.js';
import { rewriteLocation, rewriteSetCookie } from './response-rewrite.js';
import { upstreamAuthority, upstreamOrigin, upstreamPath } from './upstream-url.js';

export interface ProxyOptions {
  policy: Policy;
  upstream: Upstream;
  agent: HttpAgent | HttpsAgent;
  /** PEM certificates to verify an https upstream with. */
  ca: readonly string[];
  /** Listening on loopback: the Host header must name a loopback host (see loopbackHost). */
  loopbackOnly: boolean;
  log(entry: RequestLog): void;
}

/** The options plus what every request needs from them, worked out once at start rather than per request. */
export interface ProxyContext extends ProxyOptions {
  /** The upstream's host as node:http connects to it (no brackets around IPv6), and its port. */
  connectHost: string;
  connectPort: number;
  /** The Host header sent upstream (docs/contract.md §6). */
  hostHeader: string;
  /** e.g. `https://api.example:8443`: what a relative Location is resolved against. */
  upstreamOrigin: string;
  send: typeof httpRequest;
  /** Options of an https upstream's connection; null for http. */
  tls: { servername: string | undefined; secureContext: SecureContext; rejectUnauthorized: true } | null;
  /** The last Host header that passed loopbackHost (clients send the same one on every request). */
  lastLoopbackHost: string | undefined;
}

export function proxyContext(o: ProxyOptions): ProxyContext {
  const u = o.upstream;
  const connectHost = u.host.startsWith('[') ? u.host.slice(1, -1) : u.host;
  const https = u.scheme === 'https';
  return {
    ...o,
    connectHost,
    connectPort: u.port ?? (https ? 443 : 80),
    hostHeader: upstreamAuthority(u),
    upstreamOrigin: upstreamOrigin(u),
    send: https ? (httpsRequest as typeof httpRequest) : httpRequest,
    // The certificates as one context made now, not as `ca`: node:https names each pooled
    // connection by its options, `ca` joined in (the system store: ~216,000 characters built and
    // hashed per request, ~230 µs), and builds a context from `ca` for every new connection.
    tls: https ? { servername: isIP(connectHost) === 0 ? connectHost : undefined, secureContext: createSecureContext({ ca: [...o.ca] }), rejectUnauthorized: true } : null,
    lastLoopbackHost: undefined,
  };
}

export type Verdict = ExpectedResponse['outcome'] | 'not-governed' | 'bad-request' | 'not-loopback-host' | 'upstream-error';

/**
 * On a loopback address serve answers only requests addressed to a loopback name: a page whose DNS
 * name is re-bound to 127.0.0.1 (DNS rebinding) would otherwise be same-origin with serve and could
 * read the upstream through it. Vite checks the Host header for the same reason (server.allowedHosts).
 */
export function loopbackHost(host: string | undefined): boolean {
  const name = /^(\[[^\]]*\]|[^:]*)(?::[0-9]*)?$/.exec(host ?? '')?.[1]?.toLowerCase();
  return name === 'localhost' || name === '[::1]' || (name !== undefined && /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(name));
}

/** The headers of a response serve answers itself, as a flat [name, value, …] list. */
function ownHeaders(expected: ExpectedResponse | null): string[] {
  const out: string[] = [];
  if (expected) {
    pushCorsHeaders(expected, out);
    out.push('Vary', 'Origin');
  }
  return out;
}

function answer(res: ServerResponse, status: number, headers: string[], body: string): void {
  if (body === '') {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const bytes = Buffer.from(body);
  headers.push('Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(bytes.length));
  res.writeHead(status, headers);
  res.end(bytes);
}

/** One request's state, shared by its listeners. */
interface Exchange {
  verdict: Verdict;
  /** The request to the upstream once there is one. */
  upstream: ClientRequest | null;
}

export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  const ex: Exchange = { verdict: 'bad-request', upstream: null };
  // One listener for both: 'close' is emitted once per response.
  res.on('close', () => {
    ctx.log({ method: req.method ?? '', target: req.url ?? '', origin, verdict: ex.verdict, status: res.headersSent ? res.statusCode : 0 });
    // The client went away: stop talking to the upstream as well.
    if (ex.upstream !== null && !res.writableFinished) ex.upstream.destroy();
  });

  if (ctx.loopbackOnly) {
    const host = req.headers.host;
    if (host !== ctx.lastLoopbackHost || host === undefined) {
      if (!loopbackHost(host)) {
        ex.verdict = 'not-loopback-host';
        req.resume();
        return answer(res, 421, [], 'Misdirected request: this proxy answers only requests addressed to localhost or a loopback address.\n');
      }
      ctx.lastLoopbackHost = host;
    }
  }
  const target = readRequestPath(req.url ?? '');
  if (target.kind === 'refused') {
    req.resume();
    return answer(res, 400, [], `Bad request: ${target.reason}.\n`);
  }
  const prefix = governingPrefix(ctx.policy.paths, target.path);
  if (prefix === null) {
    ex.verdict = 'not-governed';
    req.resume();
    return answer(res, 404, [], 'Not found: the policy does not govern this path.\n');
  }
  const expected = decide(ctx.policy, req);
  ex.verdict = expected.outcome;
  if (expected.kind === 'preflight') {
    req.resume();
    return answer(res, expected.status as number, ownHeaders(expected), '');
  }
  const path = upstreamPath(ctx.upstream, prefix, target.path, target.query);
  if (path === null) {
    ex.verdict = 'bad-request';
    req.resume();
    return answer(res, 400, [], 'Bad request: the path would leave the upstream URL.\n');
  }
  forward(ctx, req, res, ex, expected, prefix, path);
}

const NO_VARY: readonly string[] = [];

function forward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, ex: Exchange, expected: ExpectedResponse, prefix: string, path: string): void {
  const u = ctx.upstream;
  const upstreamReq = ctx.send(upstreamRequestOptions(ctx, req.method, path, forwardRequestHeaders(req.rawHeaders, ctx.hostHeader, ctx.policy.credentials)));
  ex.upstream = upstreamReq;

  // The agent gives every upstream socket an idle time-out (LIMITS.upstreamIdleMs); it ends here.
  upstreamReq.on('timeout', onUpstreamTimeout);
  upstreamReq.on('error', (e: NodeJS.ErrnoException) => {
    ex.verdict = 'upstream-error';
    const why = e.code === 'ECONNREFUSED' ? 'refused the connection' : `failed (${e.code ?? e.message})`;
    if (!res.headersSent) answer(res, 502, ownHeaders(expected), `Bad gateway: the upstream ${why}.\n`);
    else res.destroy();
  });

  upstreamReq.on('response', (up: IncomingMessage) => {
    // A flat [name, value, …] list: Node writes it as it is, repeated names included.
    const out: string[] = [];
    let vary: string[] | null = null;
    const raw = up.rawHeaders;
    const listed = connectionTokens(raw);
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (!passesResponseHeader(lower, listed)) continue;
      const value = raw[i + 1]!;
      if (lower === 'vary') (vary ??= []).push(value);
      else if (lower === 'location') out.push(name, rewriteLocation(u, prefix, `${ctx.upstreamOrigin}${path}`, value));
      else if (lower === 'set-cookie') out.push(name, rewriteSetCookie(u, prefix, value));
      else out.push(name, value);
    }
    pushCorsHeaders(expected, out);
    out.push('Vary', mergeVary(vary ?? NO_VARY));
    res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
    // pipe(), not pipeline(): the same back-pressure without an AbortSignal per response (a third
    // of serve's throughput in `npm run bench`). The upstream reset mid-body: the client must see a
    // truncated response, never a complete one.
    const truncate = () => res.destroy();
    up.on('error', truncate);
    up.on('aborted', truncate);
    up.pipe(res);
  });

  // Not pipeline(): it would destroy the client's socket when the upstream fails, before the 502.
  req.pipe(upstreamReq);
  req.on('error', () => upstreamReq.destroy());
}

/** The options of a request to the upstream (never followed: node:http does not follow redirects; the Location is rewritten instead). */
export function upstreamRequestOptions(ctx: ProxyContext, method: string | undefined, path: string, headers: string[]): RequestOptions {
  const base = { host: ctx.connectHost, port: ctx.connectPort, method, path, agent: ctx.agent, headers: headers as unknown as OutgoingHttpHeaders };
  return ctx.tls === null ? base : { ...base, ...ctx.tls };
}

function onUpstreamTimeout(this: ClientRequest): void {
  this.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
}
