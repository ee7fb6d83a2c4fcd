// The API serve is put in front of in the serve tests: HTTPS on 127.0.0.1 with a certificate of the
// test CA, recording what reaches it (path, headers, the SNI name), sending its own CORS headers,
// cookies scoped to its own domain and path, redirects, and the faults the tests need.
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setUpstreamHeaders } from '../harness/upstream.js';
import type { TestPki } from './test-ca.js';

export interface SeenByUpstream {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  servername: string | false | null;
  /** Set when the request body ended early (the client went away mid-body). */
  aborted: boolean;
  bodyBytes: number;
}

export interface HttpsUpstream {
  port: number;
  seen: SeenByUpstream[];
  /** Releases the requests held by /v1/hold. */
  release(): void;
  /** How many requests /v1/hold is holding. */
  held(): number;
  close(): Promise<void>;
}

export const BIG_BODY_BYTES = 1_000_000;

export async function startHttpsUpstream(pki: TestPki): Promise<HttpsUpstream> {
  const seen: SeenByUpstream[] = [];
  let holding: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  const server: Server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    const entry: SeenByUpstream = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, servername: (req.socket as TLSSocket).servername, aborted: false, bodyBytes: 0 };
    seen.push(entry);
    req.on('data', (d: Buffer) => (entry.bodyBytes += d.length));
    req.on('aborted', () => (entry.aborted = true));
    req.on('error', () => (entry.aborted = true));
    const path = (req.url ?? '').split('?')[0]!;
    setUpstreamHeaders(res);
    if (path === '/v1/redirect-in') {
      res.writeHead(302, { Location: `https://localhost:${port}/v1/landing/page?x=1` }).end();
    } else if (path === '/v1/redirect-relative') {
      res.writeHead(301, { Location: '/v1/landing/other' }).end();
    } else if (path === '/v1/redirect-out') {
      res.writeHead(302, { Location: 'https://elsewhere.example/v1/x' }).end();
    } else if (path === '/v1/cookie') {
      res.setHeader('Set-Cookie', ['sid=abc; Domain=localhost; Path=/v1/account; Secure; HttpOnly', 'theme=dark; Path=/elsewhere; domain=.localhost']);
      res.end('cookie\n');
    } else if (path === '/v1/hold') {
      holding.push(res);
      res.writeHead(200);
      res.write('started\n');
    } else if (path === '/v1/reset-mid-body') {
      res.writeHead(200, { 'Content-Length': String(BIG_BODY_BYTES) });
      res.write(Buffer.alloc(64 * 1024, 'a'), () => req.socket.destroy());
    } else if (path === '/v1/big') {
      res.writeHead(200, { 'Content-Length': String(BIG_BODY_BYTES) });
      res.end(Buffer.alloc(BIG_BODY_BYTES, 'b'));
    } else {
      req.on('end', () => res.end(JSON.stringify({ url: req.url, bodyBytes: entry.bodyBytes })));
      req.resume();
      return;
    }
    req.resume();
  });
  server.keepAliveTimeout = 500;
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
    release: () => {
      for (const r of holding) r.end('finished\n');
      holding = [];
    },
    held: () => holding.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
