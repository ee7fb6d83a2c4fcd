// The application behind the server under test: answers /status/<code> with that code, sends its own
// Access-Control-* headers and a Vary (all of which the generated config must deal with), and records
// the X-Test-Id of every request it sees so a test can tell whether a request was forwarded.
import { createServer, type Server } from 'node:http';
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

export async function startUpstream(): Promise<Upstream> {
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const id = req.headers['x-test-id'];
    if (typeof id === 'string') seen.add(id);
    const m = /^\/status\/([0-9]{3})/.exec(req.url ?? '');
    const status = m ? Number(m[1]) : 200;
    for (const [k, v] of Object.entries(UPSTREAM_CORS_HEADERS)) res.setHeader(k, v);
    res.setHeader('Vary', UPSTREAM_VARY);
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('X-Upstream', 'yes');
    req.resume();
    req.on('end', () => res.writeHead(status).end(`upstream ${status}\n`));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
