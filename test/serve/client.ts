// Requests to serve from the tests: one connection each (no keep-alive, so that a socket count of the
// server means something), the raw response headers kept.
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  rawHeaders: string[];
  body: string;
  /** The response ended before its Content-Length (or the connection broke mid-body). */
  truncated: boolean;
}

export function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('aborted', () => (truncated = true));
      res.on('error', () => (truncated = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8'), truncated: truncated || !res.complete }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const values = (a: { rawHeaders: string[] }, name: string): string[] =>
  a.rawHeaders.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name.toLowerCase() ? [a.rawHeaders[i + 1]!] : []));

export const corsNames = (a: { rawHeaders: string[] }): string[] =>
  a.rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase().startsWith('access-control-')).map((v) => v.toLowerCase());

/** A raw TCP connection to serve (for malformed, partial and slow requests). */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

export const portRefuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
