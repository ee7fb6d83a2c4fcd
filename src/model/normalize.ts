// Raw (already checked) policy document → normalized model. Defaults of docs/contract.md §1 are applied
// here and nowhere else.
import { parseOriginEntry } from './origin.js';
import type { ListHeader, OriginMatcher, OriginSet, Policy, PolicySet, Upstream } from './types.js';

export type RawOrigin = string | { regex: string };

export interface RawPolicy {
  origins: RawOrigin[] | '*';
  methods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  credentials?: boolean;
  maxAge?: number;
  privateNetwork?: boolean;
  dangerouslyAllow?: string[];
  paths?: string[];
  upstream?: { url: string; ca?: string };
}

export interface RawPolicyFile {
  version: 1;
  policies: Record<string, RawPolicy>;
}

export const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD', 'POST'];

function unique(values: readonly string[], key: (v: string) => string): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function listHeader(values: readonly string[], credentials: boolean, key: (v: string) => string): ListHeader {
  const names = unique(values, key);
  const wildcard = names.includes('*');
  // Fetch §3.2.3: `*` is a wildcard only for requests without credentials; with credentials the
  // request's own Access-Control-Request-* value is reflected instead.
  if (wildcard && credentials) return { listed: names.filter((n) => n !== '*'), reflectRequest: true };
  return { listed: names, reflectRequest: false };
}

function originMatcher(entry: RawOrigin): OriginMatcher {
  if (typeof entry !== 'string') return { kind: 'regex', source: entry.regex };
  // `null` only reaches the model through the null-origin opt-out; it is then an exact string.
  if (entry === 'null') return { kind: 'exact', origin: 'null' };
  const parsed = parseOriginEntry(entry);
  if (!parsed.ok) throw new Error(`normalize: unchecked origin ${JSON.stringify(entry)}: ${parsed.problem}`);
  return parsed.matcher;
}

function originSet(origins: RawPolicy['origins']): OriginSet {
  if (origins === '*') return { kind: 'any' };
  const matchers: OriginMatcher[] = [];
  const seen = new Set<string>();
  for (const entry of origins) {
    const m = originMatcher(entry);
    const key = JSON.stringify(m);
    if (!seen.has(key)) {
      seen.add(key);
      matchers.push(m);
    }
  }
  return { kind: 'list', matchers };
}

/** Every path when the policy names none (docs/contract.md §2a: exactly as `paths: [/]`). */
export const ALL_PATHS: readonly string[] = ['/'];

export function normalizeUpstream(raw: { url: string; ca?: string }): Upstream {
  const u = new URL(raw.url);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  const basePath = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return { url: raw.url, scheme, host: u.hostname, port: u.port === '' ? null : Number(u.port), basePath, ca: raw.ca ?? null };
}

export function normalizePolicy(name: string, raw: RawPolicy): Policy {
  const credentials = raw.credentials ?? false;
  const headerKey = (h: string) => h.toLowerCase();
  return {
    name,
    origins: originSet(raw.origins),
    credentials,
    allowMethods: listHeader(raw.methods ?? DEFAULT_METHODS, credentials, (m) => m),
    allowHeaders: listHeader(raw.allowHeaders ?? [], credentials, headerKey),
    exposeHeaders: unique(raw.exposeHeaders ?? [], headerKey),
    maxAge: raw.maxAge ?? null,
    privateNetwork: raw.privateNetwork ?? false,
    paths: raw.paths ? unique(raw.paths, (p) => p) : ALL_PATHS,
    upstream: raw.upstream ? normalizeUpstream(raw.upstream) : null,
  };
}

export function normalize(raw: RawPolicyFile): PolicySet {
  return {
    version: 1,
    policies: Object.entries(raw.policies).map(([name, p]) => normalizePolicy(name, p)),
  };
}
