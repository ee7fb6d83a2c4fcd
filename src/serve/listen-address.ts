// --listen <host:port> (docs/contract.md §3b): 127.0.0.1:8080 unless the user names another address.
import type { Parsed } from './upstream-url.js';

export interface ListenAddress {
  /** As given to listen(): no brackets around IPv6. */
  host: string;
  port: number;
  loopback: boolean;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 8080, loopback: true };

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host);

export function parseListen(text: string): Parsed<ListenAddress> {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return { kind: 'error', message: `--listen ${JSON.stringify(text)} is not <host>:<port> (e.g. 127.0.0.1:8080 or [::1]:8080)` };
  const host = (m[1] ?? m[2])!;
  return { kind: 'ok', value: { host, port, loopback: isLoopback(host) } };
}

/** The address as a URL authority. */
export const authority = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
