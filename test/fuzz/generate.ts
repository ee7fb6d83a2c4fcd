// Seeded generation of policy files and raw requests for the differential fuzzer. Everything is a
// pure function of (seed, batch) or (seed, batch, case), so one failing case is regenerated alone
// from the three numbers it prints. A small PRNG (splitmix32) rather than fast-check: cases are
// checked against long-running real servers, where shrinking (re-serving after every step) would
// cost more than printing the exact case.
import { checkPolicyText } from '../../src/compile.js';
import type { WireRequest } from '../../src/model/server-request.js';
import type { Policy, PolicySet } from '../../src/model/types.js';
import { attackOrigins, originFor } from '../../src/verify/origins.js';

export type Rng = () => number;

/** splitmix32: a 32-bit state, good enough for test data and trivially seeded. */
export function rng(...seed: number[]): Rng {
  let s = 0x9e3779b9;
  for (const n of seed) s = Math.imul(s ^ (n >>> 0), 0x85ebca6b) ^ 0x2545f491;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)]!;
const chance = (r: Rng, p: number) => r() < p;
const subset = <T>(r: Rng, items: readonly T[], p = 0.4): T[] => items.filter(() => chance(r, p));

// --- policy files --------------------------------------------------------------------------------

/** Prefixes the generated files give their policies: nested ones, mixed case (Caddy ignores it). */
const PREFIXES = ['/api/', '/api/admin/', '/v2/', '/public/', '/a/b/', '/Docs/', '/api/v1/'];

function originEntry(r: Rng, i: number): string {
  const n = int(r, 50);
  switch (int(r, 9)) {
    case 0:
      return `https://app${n}.example.com`;
    case 1:
      return `https://app${n}.example.com:${8000 + n}`;
    case 2:
      return `'https://*.zone${n}.example.org'`;
    case 3:
      return `'https://h${n}.example.net:*'`;
    case 4:
      return `'https://*.w${n}.example.com:*'`;
    case 5:
      return `'http://localhost:*'`;
    case 6:
      return pick(r, ['http://127.0.0.1:8080', 'http://[::1]:3000', 'http://localhost:5173']);
    case 7:
      return chance(r, 0.5)
        ? `{ regex: '^https://pr-[0-9]+\\.preview${n}\\.example\\.net$' }`
        : `{ regex: '^https://(app|www)\\.r${n}\\.example\\.com(:[0-9]{4})?$' }`;
    default:
      return `https://site${i}-${n}.example.com`;
  }
}

function policyYaml(r: Rng, name: string, paths: string[] | null): string {
  const lines = [`  ${name}:`];
  const any = chance(r, 0.15);
  const credentials = !any && chance(r, 0.5);
  const allowNull = !any && chance(r, 0.1);
  if (any) lines.push('    origins: "*"');
  else {
    lines.push('    origins:');
    const count = 1 + int(r, 4);
    for (let i = 0; i < count; i++) lines.push(`      - ${originEntry(r, i)}`);
    if (allowNull) lines.push("      - 'null'");
  }
  if (chance(r, 0.8)) lines.push(`    methods: [${[...new Set([pick(r, ['GET', 'PUT', 'DELETE']), ...subset(r, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'FOO', '*'], 0.3)])].join(', ')}]`);
  if (chance(r, 0.7)) {
    const h = subset(r, ['Content-Type', 'Authorization', 'X-Custom', '*'], 0.45);
    if (h.length > 0) lines.push(`    allowHeaders: [${h.map((x) => (x === '*' ? "'*'" : x)).join(', ')}]`);
  }
  if (chance(r, 0.5)) {
    const e = subset(r, ['X-Request-Id', 'X-Total', ...(credentials ? [] : ['*'])], 0.5);
    if (e.length > 0) lines.push(`    exposeHeaders: [${e.map((x) => (x === '*' ? "'*'" : x)).join(', ')}]`);
  }
  if (credentials) lines.push('    credentials: true');
  if (chance(r, 0.4)) lines.push(`    maxAge: ${pick(r, [0, 5, 600, 7200])}`);
  if (!any && chance(r, 0.3)) lines.push('    privateNetwork: true');
  const opt = [...(allowNull ? ['null-origin'] : []), ...(chance(r, 0.2) ? ['insecure-origins'] : [])];
  if (opt.length > 0) lines.push(`    dangerouslyAllow: [${opt.join(', ')}]`);
  if (paths) lines.push(`    paths: [${paths.join(', ')}]`);
  return lines.join('\n');
}

export interface FuzzSite {
  /** Policies included together at one level of one server block / virtual host / site. */
  policies: string[];
  /** The paths drivers' other layout (nginx: inside the location; Apache, Caddy: beside rules of the site's own). */
  layout?: 'other';
}

export interface FuzzBatch {
  yaml: string;
  set: PolicySet;
  sites: FuzzSite[];
  /** How many generated files the checks refused before this one. */
  refused: number;
}

/**
 * A policy file of 2 to 6 policies using every feature (some path-scoped, sharing no prefix) that
 * passes the checks (files the checks refuse are discarded), and the sites that include them: all
 * path-scoped policies together, each policy without paths alone, and all path-scoped ones beside
 * the first without paths.
 */
export function batch(seed: number, index: number): FuzzBatch {
  const r = rng(seed, index, 0xb47c);
  for (let refused = 0; ; refused++) {
    const count = 2 + int(r, 5);
    const free = [...PREFIXES];
    const policies = Array.from({ length: count }, (_, i) => {
      const paths = chance(r, 0.5) && free.length > 0 ? free.splice(int(r, free.length), 1).concat(chance(r, 0.3) && free.length > 0 ? free.splice(int(r, free.length), 1) : []) : null;
      return { name: `p${i}-${pick(r, ['api', 'web', 'x'])}`, paths };
    });
    const yaml = `version: 1\npolicies:\n${policies.map((p) => policyYaml(r, p.name, p.paths)).join('\n')}\n`;
    const { set } = checkPolicyText(yaml, `fuzz-${seed}-${index}.yaml`);
    if (!set) {
      if (refused > 1000) throw new Error(`seed ${seed} batch ${index}: the checks refused 1000 generated files in a row`);
      continue;
    }
    const scoped = policies.filter((p) => p.paths).map((p) => p.name);
    const whole = policies.filter((p) => !p.paths).map((p) => p.name);
    const sites: FuzzSite[] = [...whole.map((p) => ({ policies: [p] }))];
    if (scoped.length > 0) sites.push({ policies: scoped });
    if (scoped.length > 0 && whole.length > 0) sites.push({ policies: [...scoped, whole[0]!] });
    for (const site of sites) if (chance(r, 0.5)) site.layout = 'other';
    return { yaml, set, sites, refused };
  }
}

// --- requests -------------------------------------------------------------------------------------

export interface FuzzCase {
  site: number;
  wire: WireRequest;
  /** The status the application answers (X-Test-Status). */
  appStatus: number;
}

function originsOf(policy: Policy): string[] {
  if (policy.origins.kind === 'any') return ['https://anyone.example'];
  return policy.origins.matchers.map((m) => originFor(m)).filter((o): o is string => o !== null);
}

function caseVariant(r: Rng, s: string): string {
  switch (int(r, 3)) {
    case 0:
      return s.toUpperCase();
    case 1:
      return s.replace(/\/\/([a-z])/, (_, c: string) => `//${c.toUpperCase()}`);
    default:
      return [...s].map((c) => (chance(r, 0.5) ? c.toUpperCase() : c)).join('');
  }
}

function originValue(r: Rng, set: PolicySet, included: readonly string[]): string {
  const own = set.policies.filter((p) => included.includes(p.name));
  const policy = pick(r, own.length > 0 && chance(r, 0.75) ? own : set.policies);
  const base = pick(r, originsOf(policy).concat('https://random.test'));
  const roll = r();
  if (roll < 0.5) return base;
  if (roll < 0.8) return pick(r, [base, ...attackOrigins(base)]);
  if (roll < 0.88) return caseVariant(r, base);
  if (roll < 0.92) return 'null';
  if (roll < 0.95) return `https://${'a'.repeat(int(r, 40))}.example.com`;
  if (roll < 0.98) return `https://${'l'.repeat(3000 + int(r, 1000))}.example.com`;
  return `https://${'l'.repeat(12_000 + int(r, 2000))}.example.com`;
}

function pad(r: Rng, v: string): string {
  const roll = r();
  if (roll < 0.75) return v;
  if (roll < 0.85) return ` ${v}  `;
  if (roll < 0.9) return `\t${v}`;
  if (roll < 0.95) return `${v}\t`;
  return ` \t${v} `;
}

function nameCase(r: Rng, canonical: string): string {
  return pick(r, [canonical, canonical, canonical.toLowerCase(), canonical.toUpperCase(), [...canonical].map((c) => (chance(r, 0.5) ? c.toLowerCase() : c.toUpperCase())).join('')]);
}

function requestPath(r: Rng, set: PolicySet, included: readonly string[]): string {
  const prefixes = set.policies.flatMap((p) => (p.paths.length === 1 && p.paths[0] === '/' ? [] : [...p.paths]));
  const own = set.policies.filter((p) => included.includes(p.name)).flatMap((p) => [...p.paths]);
  const a = pick(r, own.length > 0 && chance(r, 0.6) ? own : prefixes.concat(['/', '/other/']));
  const b = pick(r, prefixes.concat(['/other/', '/']));
  const tail = pick(r, ['x', 'x/y', '', 'a.css', 'x?next=/api/']);
  switch (int(r, 40)) {
    case 0:
      return `${a}..${b}${tail}`.replace(/\/\.\.\//, '/../');
    case 1:
      return `${a}%2e%2e${b}${tail}`;
    case 2:
      return `/${a}${tail}`;
    case 3:
      return `${a.toUpperCase()}${tail}`;
    case 4:
      return `${a}${tail}`.replace(/\/([^/]*)$/, '%2F$1');
    case 5:
      return `${a}./${tail}`;
    case 6:
      return `${a.replace(/\/$/, '')}`;
    case 7:
      return `/${'p'.repeat(9000)}`;
    case 8:
    case 9:
      return `${a}%2E%2E/${b.slice(1)}${tail}`;
    case 10:
      return `${[...`${a}${tail}`].map((ch) => (chance(r, 0.5) ? ch.toUpperCase() : ch)).join('')}`;
    default:
      return `${a}${tail}`;
  }
}

const METHODS = [...Array<string>(12).fill('OPTIONS'), ...Array<string>(4).fill('GET'), 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'FOO', 'options', 'get'];

/** Case `index` of batch `b`: a raw request to one of its sites. */
export function fuzzCase(seed: number, batchIndex: number, b: FuzzBatch, index: number): FuzzCase {
  const r = rng(seed, batchIndex, index, 0xca5e);
  const site = int(r, b.sites.length);
  const included = b.sites[site]!.policies;
  const method = pick(r, METHODS);
  const headers: [string, string][] = [];
  const add = (name: string, value: string) => headers.push([nameCase(r, name), pad(r, value)]);
  const originLines = pick(r, [0, 1, 1, 1, 1, 1, 1, 2]);
  for (let i = 0; i < originLines; i++) add('Origin', i > 0 && chance(r, 0.2) ? '' : originValue(r, b.set, included));
  if (method.toUpperCase() === 'OPTIONS' ? chance(r, 0.85) : chance(r, 0.15)) {
    const acrm = () => pick(r, ['PUT', 'GET', 'DELETE', 'POST', 'PATCH', 'FOO', 'put', '']);
    add('Access-Control-Request-Method', acrm());
    if (chance(r, 0.1)) add('Access-Control-Request-Method', acrm());
  }
  if (chance(r, 0.5)) {
    const acrh = () => chance(r, 0.05) ? `x-${'h'.repeat(pick(r, [4000, 12_000]))}` : pick(r, ['content-type', 'authorization,x-custom', 'X-Custom', 'x-a, x-b', '']);
    add('Access-Control-Request-Headers', acrh());
    if (chance(r, 0.1)) add('Access-Control-Request-Headers', acrh());
  }
  if (chance(r, 0.3)) {
    const pna = () => pick(r, ['true', 'true', 'TRUE', 'false', '']);
    add('Access-Control-Request-Private-Network', pna());
    if (chance(r, 0.15)) add('Access-Control-Request-Private-Network', pna());
  }
  // Shuffle the CORS lines (the server reads them in order: which one is "first" matters).
  for (let i = headers.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [headers[i], headers[j]] = [headers[j]!, headers[i]!];
  }
  const appStatus = pick(r, [200, 200, 201, 404, 500]);
  // Origin-form only: a target without its leading slash is no path at all (the servers answer 400 on the request line).
  const path = requestPath(r, b.set, included);
  return { site, wire: { method, target: path.startsWith('/') ? path : `/${path}`, headers }, appStatus };
}
