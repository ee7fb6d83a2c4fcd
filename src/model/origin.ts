// The origin-entry grammar of docs/contract.md §1: exact serialized origins, `*.` subdomain wildcards and
// `:*` port wildcards. Parsing returns a matcher or the precise reason the entry is refused.
import { domainToASCII } from 'node:url';
import { isIPv4, isIPv6 } from 'node:net';
import type { Host, OriginMatcher, PortSpec, Scheme } from './types.js';

export type OriginEntryParse =
  | { ok: true; matcher: Extract<OriginMatcher, { kind: 'exact' | 'pattern' }> }
  | { ok: false; problem: string; hint?: string };

const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443 };
const DNS_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export function defaultPort(scheme: Scheme): number {
  return DEFAULT_PORT[scheme];
}

/** Parses one string element of `origins` (not `"*"`, not `null`: those have rules of their own). */
export function parseOriginEntry(entry: string): OriginEntryParse {
  if (/[\s"'`\\\u0000-\u001f\u007f]/.test(entry)) {
    return { ok: false, problem: 'contains whitespace, a quote, a backslash or a control character' };
  }
  const schemeEnd = entry.indexOf('://');
  if (schemeEnd < 0) {
    return { ok: false, problem: 'has no scheme', hint: `write https://${entry.replace(/^\/*/, '')}` };
  }
  const rawScheme = entry.slice(0, schemeEnd);
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return { ok: false, problem: `uses the scheme "${rawScheme}"; only http and https origins exist for CORS` };
  }
  let rest = entry.slice(schemeEnd + 3);
  for (const [ch, what] of [
    ['/', 'a path or a trailing slash'],
    ['?', 'a query'],
    ['#', 'a fragment'],
    ['@', 'userinfo'],
  ] as const) {
    const at = rest.indexOf(ch);
    if (at >= 0) {
      const fixed = (ch === '@' ? `${scheme}://${rest.slice(at + 1)}` : `${scheme}://${rest.slice(0, at).replace(/^.*@/, '')}`).toLowerCase();
      return { ok: false, problem: `has ${what}; an origin is only scheme://host[:port]`, hint: `write ${fixed}` };
    }
  }
  if (/[^\x00-\x7f]/.test(entry)) {
    const hostPart = rest.replace(/:[^\]:]*$/, '');
    const unicodeHost = hostPart.replace(/^\*\./, '');
    const ascii = domainToASCII(unicodeHost);
    return ascii
      ? { ok: false, problem: 'has a non-ASCII host; browsers send the punycode form', hint: `write ${entry.replace(unicodeHost, ascii)}` }
      : { ok: false, problem: 'has a non-ASCII host that is not a valid domain name' };
  }
  if (entry !== entry.toLowerCase()) {
    return { ok: false, problem: 'has upper case; browsers send origins in lower case', hint: `write ${entry.toLowerCase()}` };
  }

  // Split host and port; IPv6 hosts are bracketed and contain colons.
  let portText: string | null = null;
  let hostText = rest;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, problem: 'has an unterminated IPv6 address' };
    hostText = rest.slice(0, close + 1);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return { ok: false, problem: 'has characters after the IPv6 address' };
      portText = after.slice(1);
    }
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      hostText = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }

  let port: PortSpec = { kind: 'default' };
  if (portText !== null) {
    if (portText === '*') port = { kind: 'any' };
    else if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) {
      return { ok: false, problem: `has the invalid port "${portText}" (1-65535, no leading zero, or * for any)` };
    } else if (Number(portText) === DEFAULT_PORT[scheme]) {
      return {
        ok: false,
        problem: `has the default port :${portText} of ${scheme}; browsers never send it`,
        hint: `write ${scheme}://${hostText}`,
      };
    } else port = { kind: 'port', port: Number(portText) };
  }

  let subdomains = false;
  if (hostText.startsWith('*.')) {
    subdomains = true;
    hostText = hostText.slice(2);
  }
  if (hostText.includes('*')) {
    return { ok: false, problem: 'has a * that is not a leading "*." subdomain wildcard or a ":*" port wildcard' };
  }
  const host = parseHost(hostText);
  if (typeof host === 'string') return { ok: false, problem: host };
  if (subdomains && host.kind !== 'dns') {
    return { ok: false, problem: 'puts a subdomain wildcard in front of an IP address' };
  }

  if (!subdomains && port.kind !== 'any') {
    const origin = `${scheme}://${hostText}${port.kind === 'port' ? `:${port.port}` : ''}`;
    return { ok: true, matcher: { kind: 'exact', origin } };
  }
  return { ok: true, matcher: { kind: 'pattern', scheme, host, subdomains, port, written: entry } };
}

function parseHost(text: string): Host | string {
  if (text === '') return 'has an empty host';
  if (text.startsWith('[')) {
    const inner = text.slice(1, -1);
    if (!isIPv6(inner)) return `has the invalid IPv6 address ${text}`;
    // Browsers serialize IPv6 hosts in the compressed form (RFC 5952), which the URL parser produces.
    let canonical: string;
    try {
      canonical = new URL(`http://${text}/`).hostname;
    } catch {
      return `has the invalid IPv6 address ${text}`;
    }
    if (canonical !== text) return `has an IPv6 address that browsers serialize as ${canonical}`;
    return { kind: 'ipv6', address: text };
  }
  if (/^[0-9.]+$/.test(text)) {
    if (!isIPv4(text)) return `has the invalid IPv4 address ${text}`;
    return { kind: 'ipv4', address: text };
  }
  const labels = text.split('.');
  if (labels.some((l) => l === '')) return `has an empty label in the host ${text}`;
  const bad = labels.find((l) => !DNS_LABEL.test(l));
  if (bad !== undefined) return `has the invalid host label "${bad}" (letters, digits, - and _ only, at most 63)`;
  if (text.length > 253) return 'has a host longer than 253 characters';
  return { kind: 'dns', name: text };
}

export function hostText(host: Host): string {
  return host.kind === 'dns' ? host.name : host.address;
}

/** A request's Origin header split into parts, or null when it is not a serialized http(s) origin. */
export interface OriginParts {
  scheme: Scheme;
  host: string;
  /** null when the origin names no port. */
  port: number | null;
}

export function splitRequestOrigin(origin: string): OriginParts | null {
  const m = /^(https?):\/\/(\[[0-9a-f:.]+\]|[^/:?#@\[\]]+)(?::([0-9]{1,5}))?$/.exec(origin);
  if (!m) return null;
  return { scheme: m[1] as Scheme, host: m[2]!, port: m[3] === undefined ? null : Number(m[3]) };
}

/** Whether `origin` is matched by a `pattern` entry, by the entry's meaning (not through its regex). */
export function patternMatches(p: Extract<OriginMatcher, { kind: 'pattern' }>, origin: string): boolean {
  const parts = splitRequestOrigin(origin);
  if (!parts || parts.scheme !== p.scheme) return false;
  switch (p.port.kind) {
    case 'default':
      if (parts.port !== null) return false;
      break;
    case 'port':
      if (parts.port !== p.port.port) return false;
      break;
    case 'any':
      if (parts.port !== null && (parts.port < 0 || parts.port > 99999)) return false;
      break;
  }
  const base = hostText(p.host);
  if (!p.subdomains) return parts.host === base;
  if (!parts.host.endsWith(`.${base}`)) return false;
  const prefix = parts.host.slice(0, -(base.length + 1));
  return prefix.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label));
}
