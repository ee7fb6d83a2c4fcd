// The application behind the server under test: answers /status/<code> with that code, sends its own
// Access-Control-* headers and a Vary (all of which the generated config must deal with), and records
// the X-Test-Id of every request it sees so a test can tell whether a request was forwarded.
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const UPSTREAM_VARY = 'Accept-Encoding';
export const UPSTREAM_CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Methods': 'GET, POST, TRACE',
  'Access-Control-Allow-Headers': 'X-Upstream-Header',
  'Access-Control-Max-Age': '99999',
  'Access-Control-Expose-Headers': 'X-Upstream-Secret',
  'Access-Control-Allow-Private-Network': 'true',
};

export interface Upstream {
  port: number;
  /** X-Test-Id values of the requests that reached the upstream. */
  seen: Set<string>;
  close(): Promise<void>;
}

/** The status a test path asks for: /status/<code>[/…], else 200. */
export const statusOf = (url: string): number => Number(/^\/status\/([0-9]{3})(?:\/|$|\?)/.exec(url)?.[1] ?? 200);

/** What every test upstream sends: its own CORS headers, a Vary, a content type. */
export function setUpstreamHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(UPSTREAM_CORS_HEADERS)) res.setHeader(k, v);
  res.setHeader('Vary', UPSTREAM_VARY);
  res.setHeader('Content-Type', 'text/plain');
}

export interface LoopbackServer {
  port: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (a port the OS chooses) that closes its idle connections on close. */
export async function listenOnLoopback(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startUpstream(): Promise<Upstream> {
  const seen = new Set<string>();
  const server = await listenOnLoopback((req, res) => {
    const id = req.headers['x-test-id'];
    if (typeof id === 'string') seen.add(id);
    const status = statusOf(req.url ?? '');
    setUpstreamHeaders(res);
    res.setHeader('X-Upstream', 'yes');
    req.resume();
    req.on('end', () => res.writeHead(status).end(`upstream ${status}\n`));
  });
  return { port: server.port, seen, close: server.close };
}
