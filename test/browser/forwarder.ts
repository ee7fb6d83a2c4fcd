// A recording forwarder between a browser and one loopback server: it passes the bytes both ways
// unchanged but for one thing, the Host header's port (made the server's own, as a reverse proxy in
// front of the server would: Caddy picks a site's access log by Host), and parses what the browser
// sent into request heads, to check the request each engine actually sent (the preflight's
// Access-Control-Request-* headers, cookies or none). With a certificate it terminates TLS: WebKitGTK
// blocks http://127.0.0.1 from an https page (docs/browsers.md), so it reaches
// the servers under test over https through this forwarder. It offers no ALPN, so browsers speak
// HTTP/1.1 to it.
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { EngineName } from './engine.js';
import { ENGINE_FACTS } from './engine-facts.js';

export interface SentRequest {
  method: string;
  path: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface Forwarder {
  port: number;
  /** Every request head the browser sent through this forwarder, in order. */
  sent: SentRequest[];
  /** Heads that could not be parsed (must stay empty: a check reads only what it could parse). */
  unparsed: string[];
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

/**
 * Splits a client byte stream into request heads (passed on with `host` as their Host header) and
 * bodies (passed on as they are, delimited by Content-Length).
 */
function headParser(host: string | null, out: (b: Buffer) => void, onHead: (r: SentRequest) => void, onError: (why: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  let skip = 0;
  let broken = false;
  return (chunk) => {
    if (broken) return out(chunk);
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        out(buf.subarray(0, n));
        buf = buf.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD) {
          broken = true;
          onError(`a request head longer than ${MAX_HEAD} bytes`);
          out(buf);
        }
        return;
      }
      const raw = buf.subarray(0, end + 4);
      const [start, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(start ?? '');
      if (!m) {
        broken = true;
        onError(`not an HTTP/1.x request line: ${JSON.stringify(start)}`);
        out(Buffer.concat([raw, buf]));
        return;
      }
      const hostLines = lines.filter((l) => /^host:/i.test(l)).length;
      out(host !== null && hostLines === 1 ? Buffer.from(`${[start, ...lines.map((l) => (/^host:/i.test(l) ? `Host: ${host}` : l))].join('\r\n')}\r\n\r\n`, 'latin1') : raw);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        const name = line.slice(0, at).trim().toLowerCase();
        const value = line.slice(at + 1).trim();
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      if (headers['transfer-encoding']) {
        broken = true;
        onError(`a chunked request body (${m[1]} ${m[2]}): not parsed`);
        out(buf);
        return;
      }
      skip = Number(headers['content-length'] ?? 0);
      onHead({ method: m[1]!, path: m[2]!.split('?')[0]!, headers });
    }
  };
}

/**
 * Forwards 127.0.0.1:<port> (TLS when `tls` is given) to 127.0.0.1:<backendPort>. `host: 'as-sent'`
 * passes the Host header on as the browser sent it (the forwarder's own address), for a server that
 * builds absolute URLs from it (Apache's ProxyPassReverse).
 */
export async function startForwarder(backendPort: number, tls?: { key: Buffer; cert: Buffer }, options: { host: 'backend' | 'as-sent' } = { host: 'backend' }): Promise<Forwarder> {
  const sent: SentRequest[] = [];
  const unparsed: string[] = [];
  const sockets = new Set<Socket>();
  const onClient = (client: Socket) => {
    const backend = connect({ host: '127.0.0.1', port: backendPort });
    sockets.add(client).add(backend);
    const parse = headParser(options.host === 'backend' ? `127.0.0.1:${backendPort}` : null, (b) => backend.write(b), (r) => sent.push(r), (why) => unparsed.push(why));
    client.on('data', (chunk: Buffer) => parse(chunk));
    client.on('end', () => backend.end());
    backend.pipe(client);
    const drop = () => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    client.on('error', drop).on('close', drop);
    backend.on('error', drop).on('close', drop);
  };
  const server: Server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onClient) : createTcpServer(onClient);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    unparsed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * How a page in `engine` reaches the loopback server on `backendPort`: through a recording forwarder,
 * over https where the engine blocks http://127.0.0.1 from https pages (`tls`: a certificate for
 * 127.0.0.1, page-server.ts makeCertificate), over http elsewhere. `base` is "scheme://127.0.0.1:port".
 */
export async function endpointFor(engine: EngineName, backendPort: number, tls: { key: Buffer; cert: Buffer }): Promise<{ base: string; forwarder: Forwarder }> {
  const https = ENGINE_FACTS[engine].loopbackHttpFromHttps.kind === 'blocked';
  const forwarder = await startForwarder(backendPort, https ? tls : undefined);
  return { base: `${https ? 'https' : 'http'}://127.0.0.1:${forwarder.port}`, forwarder };
}
