// serve's request handler: the policy decided by the reference evaluator, governed requests
// forwarded to the one upstream (docs/contract.md §2, §2a, §3b, §6).
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { ExpectedResponse } from '../model/evaluate.js';
import type { Policy, Upstream } from '../model/types.js';
import { corsHeaderPairs, decide, mergeVary } from './cors-headers.js';
import { forwardRequestHeaders, passResponseHeaders } from './forward-headers.js';
import type { RequestLog } from './log-line.js';
import { governingPrefix, readRequestPath } from './request-path.js';
import { rewriteLocation, rewriteSetCookie } from './response-rewrite.js';
import { upstreamOrigin, upstreamPath } from './upstream-url.js';

export interface ProxyContext {
  policy: Policy;
  upstream: Upstream;
  agent: HttpAgent | HttpsAgent;
  /** PEM certificates to verify an https upstream with. */
  ca: string | readonly string[];
  /** Listening on loopback: the Host header must name a loopback host (see loopbackHost). */
  loopbackOnly: boolean;
  log(entry: RequestLog): void;
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

type HeaderList = [string, string][];

/** The headers of a response serve answers itself. */
function ownHeaders(expected: ExpectedResponse | null, extra: HeaderList = []): HeaderList {
  const cors = expected ? [...corsHeaderPairs(expected), ['Vary', 'Origin'] as [string, string]] : [];
  return [...cors, ...extra];
}

const flat = (list: HeaderList): string[] => list.flat();

function answer(res: ServerResponse, status: number, headers: HeaderList, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, flat(body === '' ? headers : [...headers, ['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(bytes.length)]]));
  res.end(body === '' ? undefined : bytes);
}

export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  let verdict: Verdict = 'bad-request';
  res.once('close', () => ctx.log({ method: req.method ?? '', target: req.url ?? '', origin, verdict, status: res.headersSent ? res.statusCode : 0 }));

  if (ctx.loopbackOnly && !loopbackHost(req.headers.host)) {
    verdict = 'not-loopback-host';
    req.resume();
    return answer(res, 421, [], 'Misdirected request: this proxy answers only requests addressed to localhost or a loopback address.\n');
  }
  const target = readRequestPath(req.url ?? '');
  if (target.kind === 'refused') {
    req.resume();
    return answer(res, 400, [], `Bad request: ${target.reason}.\n`);
  }
  const prefix = governingPrefix(ctx.policy.paths, target.path);
  if (prefix === null) {
    verdict = 'not-governed';
    req.resume();
    return answer(res, 404, [], 'Not found: the policy does not govern this path.\n');
  }
  const expected = decide(ctx.policy, req);
  verdict = expected.outcome;
  if (expected.kind === 'preflight') {
    req.resume();
    return answer(res, expected.status as number, ownHeaders(expected), '');
  }
  const path = upstreamPath(ctx.upstream, prefix, target.path, target.query);
  if (path === null) {
    verdict = 'bad-request';
    req.resume();
    return answer(res, 400, [], 'Bad request: the path would leave the upstream URL.\n');
  }
  forward(ctx, req, res, expected, prefix, path, (v) => (verdict = v));
}

function forward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expected: ExpectedResponse, prefix: string, path: string, setVerdict: (v: Verdict) => void): void {
  const u = ctx.upstream;
  const host = u.host.startsWith('[') ? u.host.slice(1, -1) : u.host;
  const options = {
    host,
    port: u.port ?? (u.scheme === 'https' ? 443 : 80),
    method: req.method,
    path,
    agent: ctx.agent,
    headers: forwardRequestHeaders(req.rawHeaders, u, ctx.policy.credentials) as unknown as OutgoingHttpHeaders,
    // Never followed: node:http does not follow redirects; the Location is rewritten instead.
    ...(u.scheme === 'https' ? { servername: isIP(host) === 0 ? host : undefined, ca: ctx.ca as string[], rejectUnauthorized: true } : {}),
  };
  const upstreamReq = (u.scheme === 'https' ? httpsRequest : httpRequest)(options);
  const requestUrl = `${upstreamOrigin(u)}${path}`;

  const fail = (why: string) => {
    setVerdict('upstream-error');
    if (!res.headersSent) {
      answer(res, 502, ownHeaders(expected), `Bad gateway: the upstream ${why}.\n`);
    } else {
      res.destroy();
    }
  };
  // The agent gives every upstream socket an idle time-out (LIMITS.upstreamIdleMs); it ends here.
  upstreamReq.once('timeout', () => upstreamReq.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
  upstreamReq.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNREFUSED' ? 'refused the connection' : `failed (${e.code ?? e.message})`));
  // The client went away: stop talking to the upstream as well.
  res.once('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });

  upstreamReq.on('response', (up: IncomingMessage) => {
    // A flat [name, value, …] list: Node writes it as it is, repeated names included.
    const headers: string[] = [];
    const vary: string[] = [];
    for (const [name, value] of passResponseHeaders(up.rawHeaders)) {
      const lower = name.toLowerCase();
      if (lower === 'vary') vary.push(value);
      else if (lower === 'location') headers.push(name, rewriteLocation(u, prefix, requestUrl, value));
      else if (lower === 'set-cookie') headers.push(name, rewriteSetCookie(u, prefix, value));
      else headers.push(name, value);
    }
    for (const [name, value] of corsHeaderPairs(expected)) headers.push(name, value);
    headers.push('Vary', mergeVary(vary));
    res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
    // pipe(), not pipeline(): the same back-pressure without an AbortSignal per response (a third
    // of serve's throughput in `npm run bench`). The upstream reset mid-body: the client must see a
    // truncated response, never a complete one.
    up.once('error', () => res.destroy());
    up.once('aborted', () => res.destroy());
    up.pipe(res);
  });

  // Not pipeline(): it would destroy the client's socket when the upstream fails, before the 502.
  req.pipe(upstreamReq);
  req.once('error', () => upstreamReq.destroy());
}
