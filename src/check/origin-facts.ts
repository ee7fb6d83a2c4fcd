// Facts about hosts the safety rules need: loopback, site (registrable domain) and public suffixes.
// Public suffixes come from the Public Suffix List (tldts), its private section included.
import { isIPv4 } from 'node:net';
import { tldts } from '../lazy.js';
import { parseOriginEntry, splitRequestOrigin } from '../model/origin.js';
import type { OriginMatcher } from '../model/types.js';

const PSL = { allowPrivateDomains: true } as const;

const isIpHost = (host: string): boolean => host.startsWith('[') || isIPv4(host);

/**
 * A host whose traffic never leaves the machine: localhost and its subdomains (browsers resolve
 * them to loopback and treat them as potentially trustworthy), 127.0.0.0/8 and [::1].
 */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return host.startsWith('127.');
  return host === '[::1]';
}

/** Whether the host is itself on the Public Suffix List (ICANN or private section). */
export function isPublicSuffix(host: string): boolean {
  if (isIpHost(host)) return false;
  const r = tldts().parse(host, PSL);
  return r.publicSuffix === host && (r.isIcann === true || r.isPrivate === true);
}

/** The site a host belongs to: its registrable domain, or the host itself (IP, bare suffix, single label). */
export function siteOf(host: string): string {
  if (isIpHost(host)) return host;
  return tldts().getDomain(host, PSL) ?? host;
}

/** Parses a string origins entry without ever throwing (the grammar is the model's). */
export function safeParseOrigin(entry: string): Extract<OriginMatcher, { kind: 'exact' | 'pattern' }> | null {
  try {
    const parsed = parseOriginEntry(entry);
    return parsed.ok ? parsed.matcher : null;
  } catch {
    return null;
  }
}

/** Whether a string is a serialized origin exactly as a browser sends it. */
export function isSerializedOrigin(s: string): boolean {
  if (!splitRequestOrigin(s)) return false;
  const m = safeParseOrigin(s);
  return m !== null && m.kind === 'exact' && m.origin === s;
}

export interface OriginParts {
  scheme: 'http' | 'https';
  host: string;
  /** ":8080" or "". */
  port: string;
}

export function originParts(origin: string): OriginParts | null {
  const p = splitRequestOrigin(origin);
  return p ? { scheme: p.scheme, host: p.host, port: p.port === null ? '' : `:${p.port}` } : null;
}
