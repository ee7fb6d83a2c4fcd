// Sending one probe. Safe against a production server (docs/contract.md §3a): the caller sends only OPTIONS,
// GET and HEAD; nothing here adds a cookie or credential; Node's http client never follows a
// redirect; each request has a deadline for its response headers, and the body is never read (the
// connection is closed once the headers are in).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { VERSION } from '../version.js';
import type { ProbeRequest } from './requests.js';

export type FailureKind = 'refused' | 'dns' | 'tls' | 'timeout' | 'network';

export type Outcome =
  | { kind: 'answered'; status: number; rawHeaders: string[] }
  | { kind: 'failed'; failure: FailureKind; message: string };

export interface Target {
  /** `http:` or `https:` URL with no path beyond `/`, no query, fragment or userinfo. */
  url: URL;
  timeoutMs: number;
  /** PEM contents of --ca: trusted instead of the system store for an https URL. */
  ca?: string;
}

export interface Client {
  send(req: ProbeRequest): Promise<Outcome>;
  close(): void;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

export function classify(e: NodeJS.ErrnoException): { failure: FailureKind; message: string } {
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { failure: 'dns', message: 'name not resolved' };
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(e.message)) return { failure: 'tls', message: `TLS failure (${code || e.message})` };
  return { failure: 'network', message: `${code || 'network error'}` };
}

export function createClient(target: Target): Client {
  const https = target.url.protocol === 'https:';
  // No keep-alive: the body of an answer is not read, so its connection cannot be reused.
  const agent = https ? new HttpsAgent({ keepAlive: false, maxSockets: 4, ...(target.ca ? { ca: target.ca } : {}) }) : new HttpAgent({ keepAlive: false, maxSockets: 4 });
  const hostname = target.url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = target.url.port ? Number(target.url.port) : https ? 443 : 80;

  const send = (req: ProbeRequest): Promise<Outcome> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (o: Outcome) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(o);
        }
      };
      const options = {
        host: hostname,
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: { host: target.url.host, 'user-agent': `cors-gen-verify/${VERSION}`, accept: '*/*', ...req.headers },
        ...(https && isIP(hostname) === 0 ? { servername: hostname } : {}),
      };
      const onResponse = (res: IncomingMessage) => {
        settle({ kind: 'answered', status: res.statusCode ?? 0, rawHeaders: res.rawHeaders });
        res.destroy();
      };
      const r = https ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
      const timer = setTimeout(() => {
        settle({ kind: 'failed', failure: 'timeout', message: `no answer within ${target.timeoutMs / 1000} s` });
        r.destroy();
      }, target.timeoutMs);
      r.on('error', (e: NodeJS.ErrnoException) => settle({ kind: 'failed', ...classify(e) }));
      r.end();
    });

  return { send, close: () => agent.destroy() };
}
