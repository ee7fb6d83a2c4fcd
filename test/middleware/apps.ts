// Applications behind corsMiddleware, each answering like the test upstream (test/harness/upstream.ts):
// /status/<code> with that code, its own Access-Control-* headers and a Vary, and the X-Test-Id of
// every request it sees recorded (so a test can tell whether the middleware passed a request on).
// Three frameworks, three ways of setting headers: node:http with writeHead(status, headers),
// Express with res.set()/res.status(), Connect with setHeader() and an implicit writeHead.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import connect from 'connect';
import express from 'express';
import { corsMiddleware } from '../../src/index.js';
import { setUpstreamHeaders, statusOf, UPSTREAM_CORS_HEADERS, UPSTREAM_VARY } from '../harness/upstream.js';

export const FRAMEWORKS = ['node-http', 'express', 'connect'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface App {
  port: number;
  seen: Set<string>;
  close(): Promise<void>;
}

function record(seen: Set<string>, req: IncomingMessage): number {
  const id = req.headers['x-test-id'];
  if (typeof id === 'string') seen.add(id);
  return statusOf(req.url ?? '');
}

function handler(framework: Framework, seen: Set<string>) {
  switch (framework) {
    case 'node-http':
      return (req: IncomingMessage, res: ServerResponse) => {
        const status = record(seen, req);
        req.resume();
        req.on('end', () => res.writeHead(status, { ...UPSTREAM_CORS_HEADERS, Vary: UPSTREAM_VARY, 'Content-Type': 'text/plain', 'X-Upstream': 'yes' }).end(`upstream ${status}\n`));
      };
    case 'express':
      return (req: IncomingMessage, res: ServerResponse) => {
        const r = res as express.Response;
        const status = record(seen, req);
        r.set(UPSTREAM_CORS_HEADERS).set('Vary', UPSTREAM_VARY).set('X-Upstream', 'yes').type('text/plain');
        r.status(status).send(`upstream ${status}\n`);
      };
    case 'connect':
      return (req: IncomingMessage, res: ServerResponse) => {
        const status = record(seen, req);
        setUpstreamHeaders(res);
        res.setHeader('X-Upstream', 'yes');
        res.statusCode = status;
        res.end(`upstream ${status}\n`);
      };
  }
}

/** An app on 127.0.0.1 with corsMiddleware(policyFile, { policy }) in front of it. */
export async function startApp(framework: Framework, policyFile: string, policy: string): Promise<App> {
  const seen = new Set<string>();
  const middleware = corsMiddleware(policyFile, { policy });
  const app = handler(framework, seen);
  let listener: (req: IncomingMessage, res: ServerResponse) => void;
  if (framework === 'node-http') {
    listener = (req, res) => middleware(req, res, () => app(req, res));
  } else if (framework === 'express') {
    const e = express();
    e.use(middleware);
    e.use((req, res) => app(req, res));
    listener = e;
  } else {
    const c = connect();
    c.use(middleware);
    c.use((req: IncomingMessage, res: ServerResponse) => app(req, res));
    listener = c;
  }
  const server = createServer(listener);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
