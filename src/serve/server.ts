// The running `cors-gen serve` (docs/contract.md §3b): listens, prints its URL and one line per request,
// and on SIGINT/SIGTERM stops accepting, lets requests in flight finish, and resolves with exit 0.
import { Agent as HttpAgent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServeConfig } from './config.js';
import { LIMITS, type Limits } from './limits.js';
import { authority } from './listen-address.js';
import { escapeForTerminal, requestLine } from './log-line.js';
import { handleRequest, proxyContext } from './proxy.js';

const LOG_FLUSH_MS = 50;

export interface ServeIo {
  out(line: string): void;
  err(line: string): void;
}

/** `cors-gen serve` until SIGINT/SIGTERM: resolves with the exit code (see startServer). */
export function runServer(config: ServeConfig, io: ServeIo): Promise<number> {
  const running = startServer(config, io, LIMITS);
  const onSignal = () => running.shutdown();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return running.done.then((code) => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    return code;
  });
}

export interface RunningServe {
  /** 0 after a clean shutdown, 2 when the address cannot be listened on. */
  done: Promise<number>;
  /** Resolves once listening (with the port), or with null when listening failed. */
  listening: Promise<number | null>;
  /** Stop accepting, finish requests in flight; a second call closes every connection at once. */
  shutdown(): void;
}

export function startServer(config: ServeConfig, io: ServeIo, limits: Limits): RunningServe {
  const agentOptions = { keepAlive: true, maxSockets: limits.upstreamMaxSockets, maxFreeSockets: 64, timeout: limits.upstreamIdleMs, scheduling: 'lifo' as const };
  const agent = config.upstream.scheme === 'https' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  let closing = false;
  // Request lines are written at most every LOG_FLUSH_MS, not once per request: one write call for
  // many lines under load (npm run bench), the same lines in the same order, soon enough for a reader.
  let pending: string[] = [];
  const flush = () => {
    io.out(pending.join('\n'));
    pending = [];
  };
  const log = (line: string) => {
    if (pending.push(line) === 1) setTimeout(flush, LOG_FLUSH_MS);
  };
  const ctx = proxyContext({
    policy: config.policy,
    upstream: config.upstream,
    agent,
    ca: config.ca,
    loopbackOnly: config.listen.loopback,
    log: (entry) => log(requestLine(entry)),
  });
  const server = createServer({ connectionsCheckingInterval: limits.checkIntervalMs }, (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      // While draining, every answer closes its connection, and connections left idle are closed.
      res.shouldKeepAlive = false;
      res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
    }
    handleRequest(ctx, req, res);
  });
  server.headersTimeout = limits.clientHeadersMs;
  server.requestTimeout = limits.clientRequestMs;
  server.keepAliveTimeout = limits.clientKeepAliveMs;
  server.timeout = limits.clientIdleMs;
  // Upgrades (WebSocket) and CONNECT are not proxied: without a listener Node closes the socket.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const status = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  let shutdown = () => {};
  let listened: (port: number | null) => void = () => {};
  const listening = new Promise<number | null>((r) => (listened = r));
  const done = new Promise<number>((resolveExit) => {
    shutdown = () => {
      if (closing) {
        // A second signal: stop waiting for requests in flight.
        server.closeAllConnections();
        return;
      }
      closing = true;
      log('cors-gen serve: shutting down; finishing requests in flight');
      server.close(() => {
        clearTimeout(drainTimer);
        agent.destroy();
        resolveExit(0);
      });
      server.closeIdleConnections();
      const drainTimer = setTimeout(() => server.closeAllConnections(), limits.drainMs);
      drainTimer.unref();
    };

    server.once('error', (e: NodeJS.ErrnoException) => {
      io.err(`cors-gen: cannot listen on ${authority(config.listen.host, config.listen.port)} (${e.code ?? e.message})`);
      agent.destroy();
      listened(null);
      resolveExit(2);
    });
    server.listen(config.listen.port, config.listen.host, () => {
      const address = server.address() as AddressInfo;
      for (const w of config.warnings) io.err(w);
      io.out(
        `cors-gen serve: policy ${escapeForTerminal(config.policy.name)} listening on http://${authority(address.address, address.port)}/ -> ${escapeForTerminal(config.upstream.url)}`,
      );
      listened(address.port);
    });
  });
  return { done, listening, shutdown: () => shutdown() };
}
