// The API behind the proxy-mode browser case (proxy.ts): HTTPS on 127.0.0.1 with a certificate of the
// test CA (test/serve/test-ca.ts, for localhost and 127.0.0.1), no CORS of its own worth the name —
// it sends the wrong headers (the harness upstream's Access-Control-Allow-Origin: * and friends,
// test/harness/upstream.ts), answers preflights itself with an Allow-Headers that names no header
// the pages send — and records every request with its Host and Cookie. Under /v1/:
//
//   /v1/set-cookie/<name>    Set-Cookie <name>=from-upstream; Domain=localhost; Path=/v1/; Secure; SameSite=None
//                            (as sent, a browser on 127.0.0.1 ignores it: RFC 6265 §5.3 step 6)
//   /v1/redirect-in/<label>  302 to https://localhost:<port>/v1/landing/<label>?x=1 (its own URL)
//   /v1/redirect-out/<label> 302 to https://elsewhere.example/v1/<label> (not the upstream)
//   /v1/auth-challenge/<l>   401 with WWW-Authenticate: Basic
//   anything else            200; the body names status, method and path: "upstream 200 GET /v1/x\n"
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setUpstreamHeaders } from '../harness/upstream.js';
import type { TestPki } from '../serve/test-ca.js';
import { AUTH_CHALLENGE } from './upstream.js';

export const UPSTREAM_BASE = '/v1/';
export const COOKIE_VALUE = 'from-upstream';

export interface ProxySeen {
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  host: string | undefined;
  cookie: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface ProxyUpstream {
  port: number;
  seen: ProxySeen[];
  /** The requests to `path` (query ignored). */
  to(path: string): ProxySeen[];
  close(): Promise<void>;
}

/** The body the upstream sends for `status`, `method` and `path`. */
export const upstreamBody = (status: number, method: string, path: string) => `upstream ${status} ${method} ${path}\n`;

export async function startProxyUpstream(pki: TestPki): Promise<ProxyUpstream> {
  const seen: ProxySeen[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  const server: Server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const [path = '', query = ''] = (req.url ?? '').split('?');
    seen.push({ method: req.method ?? '', path, query, host: req.headers.host, cookie: req.headers.cookie, headers: req.headers });
    setUpstreamHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    const rest = path.startsWith(UPSTREAM_BASE) ? path.slice(UPSTREAM_BASE.length) : '';
    const [kind = '', label = ''] = rest.split('/');
    let status = 200;
    if (req.method === 'OPTIONS') {
      // The upstream's own preflight answer: its Allow-Headers (X-Upstream-Header) covers nothing a page sends.
      status = 200;
    } else if (kind === 'set-cookie') {
      res.setHeader('Set-Cookie', `${label}=${COOKIE_VALUE}; Domain=localhost; Path=${UPSTREAM_BASE}; Secure; SameSite=None`);
    } else if (kind === 'redirect-in') {
      status = 302;
      res.setHeader('Location', `https://localhost:${port}${UPSTREAM_BASE}landing/${label}?x=1`);
    } else if (kind === 'redirect-out') {
      status = 302;
      res.setHeader('Location', `https://elsewhere.example${UPSTREAM_BASE}${label}`);
    } else if (kind === 'auth-challenge') {
      status = 401;
      res.setHeader('WWW-Authenticate', AUTH_CHALLENGE);
    }
    req.resume();
    req.on('end', () => res.writeHead(status).end(upstreamBody(status, req.method ?? '', path)));
  });
  server.keepAliveTimeout = 1000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    to: (p) => seen.filter((r) => r.path === p),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
