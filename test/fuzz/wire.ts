// Both ends of the wire for the fuzzer, written on raw sockets: node:http would normalize exactly
// what the fuzzer must send (a repeated Origin, whitespace around a value, a lower-case or unknown
// method, the case of a header name), and its server (llhttp) refuses unknown and lower-case
// methods with a 400 of its own, so the application behind the servers is a raw one too.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { UPSTREAM_CORS_HEADERS, UPSTREAM_VARY } from '../harness/upstream.js';

/** One request as it goes on the wire: header lines in order, names and values as written. */
export interface WireRequest {
  method: string;
  target: string;
  headers: readonly (readonly [string, string])[];
}

export interface WireResponse {
  status: number;
  /** name, value, name, value… as received (node's rawHeaders layout). */
  rawHeaders: string[];
  body: string;
}

/** The request's bytes: `METHOD target HTTP/1.1`, Host, the header lines as given, Connection: close. */
export function requestBytes(req: WireRequest, port: number): string {
  const lines = [`${req.method} ${req.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...req.headers.map(([n, v]) => `${n}:${v}`), 'Connection: close'];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function parseResponse(raw: Buffer, head: boolean): WireResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] ([0-9]{3})/.exec(statusLine!)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const rawHeaders: string[] = [];
  for (const l of lines) {
    const colon = l.indexOf(':');
    rawHeaders.push(l.slice(0, colon), l.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  let body = head ? '' : text.slice(end + 4);
  if (/^chunked$/i.test(rawHeaders[rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'transfer-encoding') + 1] ?? '')) {
    let out = '';
    for (let rest = body; ; ) {
      const nl = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, nl), 16);
      if (!(size > 0)) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status, rawHeaders, body };
}

/** Sends one request on a new connection and reads the answer until the server closes it. */
export function sendRaw(port: number, req: WireRequest, timeoutMs = 10_000): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    // Not end(): nginx takes a half-closed connection for a client that gave up (499).
    socket.on('connect', () => socket.write(requestBytes(req, port), 'latin1'));
    socket.on('data', (d) => chunks.push(d));
    // A server may reset the connection after answering a request it refuses: the answer counts.
    const done = (err?: Error) => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      if (raw.length === 0) return reject(err ?? new Error('connection closed without an answer'));
      try {
        resolve(parseResponse(raw, req.method === 'HEAD'));
      } catch (e) {
        reject(e);
      }
    };
    socket.on('error', (e) => done(e));
    socket.on('close', () => done());
  });
}

export interface RawUpstream {
  port: number;
  /** X-Test-Id values of the requests that reached the application. */
  seen: Set<string>;
  close(): Promise<void>;
}

/** The status the test asks the application for: the request's X-Test-Status, else 200. */
export const TEST_STATUS = 'X-Test-Status';
export const TEST_ID = 'X-Test-Id';

/**
 * The application: reads one request per connection (any method, header lines as sent), answers
 * X-Test-Status with the test upstream's own CORS headers and Vary (test/harness/upstream.ts), and
 * closes. Request bodies (Content-Length or chunked) are read before answering.
 */
export async function startRawUpstream(): Promise<RawUpstream> {
  const seen = new Set<string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (d) => {
      if (answered) return;
      buf = Buffer.concat([buf, d]);
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = new Map<string, string>();
      for (const l of lines) {
        const c = l.indexOf(':');
        const name = l.slice(0, c).trim().toLowerCase();
        if (!headers.has(name)) headers.set(name, l.slice(c + 1).trim());
      }
      const rest = text.slice(end + 4);
      const length = Number(headers.get('content-length') ?? 0);
      if (/chunked/i.test(headers.get('transfer-encoding') ?? '') ? !/(^|\r\n)0\r\n\r\n$/.test(rest) : rest.length < length) return;
      answered = true;
      const id = headers.get(TEST_ID.toLowerCase());
      if (id) seen.add(id);
      const status = Number(headers.get(TEST_STATUS.toLowerCase()) ?? 200);
      const method = requestLine!.split(' ')[0]!;
      const body = status === 204 || status === 304 || method === 'HEAD' ? '' : `upstream ${status}\n`;
      const out = [
        `HTTP/1.1 ${status} Test`,
        ...Object.entries(UPSTREAM_CORS_HEADERS).map(([k, v]) => `${k}: ${v}`),
        `Vary: ${UPSTREAM_VARY}`,
        'Content-Type: text/plain',
        'X-Upstream: yes',
        ...(status === 204 || status === 304 ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
        'Connection: close',
      ];
      socket.end(`${out.join('\r\n')}\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('raw upstream: no port');
  return {
    port: address.port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
