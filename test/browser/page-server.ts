// The pages that play the browser's origins: one HTTPS server on 127.0.0.1 answers every host name
// with an empty page, and Chromium's --host-resolver-rules send app.example.test and
// evil.example.test there, so https://app.example.test:<port> and https://evil.example.test:<port>
// are two real, distinct, secure origins. The certificate is self-signed, made at test time with the
// machine's openssl (Chromium runs with --ignore-certificate-errors).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const APP_HOST = 'app.example.test';
export const EVIL_HOST = 'evil.example.test';
export const PAGE_HOSTS = [APP_HOST, EVIL_HOST];

export interface PageServer {
  port: number;
  /** The https origin a page on `host` has. */
  origin(host: string): string;
  close(): Promise<void>;
}

/** A self-signed certificate for the page hosts and 127.0.0.1 (the https forwarders of forwarder.ts), written below `dir`. Throws when openssl is missing. */
export function makeCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const keyPath = join(dir, 'page-key.pem');
  const certPath = join(dir, 'page-cert.pem');
  const r = spawnSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${APP_HOST}`,
      '-addext', `subjectAltName=${PAGE_HOSTS.map((h) => `DNS:${h}`).join(',')},IP:127.0.0.1`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.error) throw new Error(`the browser suite needs openssl to make its test certificate: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl could not make the test certificate:\n${r.stderr}`);
  return { key: readFileSync(keyPath), cert: readFileSync(certPath) };
}

export async function startPageServer(dir: string): Promise<PageServer> {
  const server: Server = createServer(makeCertificate(dir), (req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('<!doctype html><meta charset="utf-8"><title>cors-gen browser test page</title><p>cors-gen</p>\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: (host) => `https://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
