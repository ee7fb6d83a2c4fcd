// What an origin regex accepts, found without running a server: sample origins generated from the
// regex's structure, then attacker-shaped variants of each sample probed against the regex itself
// (in the manner of gixy's origins plugin). Deterministic: the same regex always gives the same
// samples in the same order, and the work is bounded (a few hundred short matches per regex).
import { parseRegex, type RegexNode } from './regex-ast.js';
import { isLoopbackHost, isPublicSuffix, isSerializedOrigin, originParts, siteOf } from './origin-facts.js';
import { regexProblem } from './regex-portability.js';
import { regexTest } from '../model/regex-engine.js';

/** Most strings kept per regex node, and most sample origins probed per regex. */
const CAP = 48;
const MAX_SAMPLES = 32;
/** Repetition counts above this are not generated (such a regex gives no sample there). */
const MAX_COUNT = 64;

/** Characters tried for a class or `.`, most origin-like first. */
const PALETTE = ['a', 'e', 'x', 'z', '1', '9', '0', '-', '_', '.', ':', '/', 'A'];

export type HostileKind = 'dot' | 'suffix' | 'prefix' | 'http';

export interface HostileOrigin {
  kind: HostileKind;
  /** The attacker-shaped origin the regex accepts. */
  origin: string;
  /** The accepted sample it was made from. */
  from: string;
}

export interface RegexAnalysis {
  source: string;
  accepts(origin: string): boolean;
  /** Serialized origins the regex accepts, as generated from its structure (may be empty). */
  samples: readonly string[];
}

const cache = new Map<string, RegexAnalysis | null>();

/** The analysis of a regex that passes regex-syntax, or null for one that does not. */
export function analyzeRegex(source: string): RegexAnalysis | null {
  if (cache.has(source)) return cache.get(source)!;
  let result: RegexAnalysis | null = null;
  if (regexProblem(source) === null) {
    const parsed = parseRegex(source);
    if (parsed.ok) {
      const accepts = (origin: string) => regexTest(source, origin);
      // https samples first: they are what a regex is usually written for, and what hostile
      // variants are best explained from.
      const samples = unique(generate(parsed.ast))
        .filter((s) => s.length <= 300 && isSerializedOrigin(s) && accepts(s))
        .sort((x, y) => Number(y.startsWith('https:')) - Number(x.startsWith('https:')))
        .slice(0, MAX_SAMPLES);
      result = { source, accepts, samples };
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(source, result);
  return result;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

const representativesCache = new Map<string, string[]>();
/**
 * One origin-like character a class accepts, plus "." when it accepts that too. A bare `.` between
 * host labels is nearly always meant as a literal dot, so for `.` the dot comes first.
 */
function representatives(setSource: string): string[] {
  let reps = representativesCache.get(setSource);
  if (!reps) {
    const accepted = PALETTE.filter((c) => regexTest(`^(?:${setSource})$`, c));
    const dot = accepted.includes('.') ? '.' : undefined;
    reps = unique((setSource === '.' ? [dot, accepted[0]] : [accepted[0], dot]).filter((c): c is string => c !== undefined));
    if (representativesCache.size > 1000) representativesCache.clear();
    representativesCache.set(setSource, reps);
  }
  return reps;
}

/**
 * Concatenations of one string from each list: the whole product when small, else the first
 * choice of every list plus every single deviation from it (all alternatives stay represented).
 */
function combine(lists: string[][]): string[] {
  if (lists.some((l) => l.length === 0)) return [];
  const size = lists.reduce((n, l) => n * l.length, 1);
  if (size <= CAP) {
    let acc = [''];
    for (const l of lists) acc = acc.flatMap((a) => l.map((b) => a + b));
    return acc;
  }
  const base = lists.map((l) => l[0]!);
  const out = [base.join('')];
  lists.forEach((l, j) => {
    for (const alt of l.slice(1)) out.push([...base.slice(0, j), alt, ...base.slice(j + 1)].join(''));
  });
  return unique(out).slice(0, CAP);
}

function generate(node: RegexNode): string[] {
  switch (node.t) {
    case 'lit':
      return [node.ch];
    case 'anchor':
      return [''];
    case 'set':
      return representatives(node.source);
    case 'alt':
      return unique(node.alts.flatMap(generate)).slice(0, CAP);
    case 'seq':
      return combine(node.items.map(generate));
    case 'rep': {
      const body = generate(node.body);
      const counts = unique([node.min, node.min + 1, node.min === 0 ? 2 : node.min].map(String))
        .map(Number)
        .filter((k) => k <= node.max && k <= MAX_COUNT)
        .sort((a, b) => a - b);
      return unique(counts.flatMap((k) => combine(Array.from({ length: k }, () => body)))).slice(0, CAP);
    }
  }
}

const withHost = (o: { scheme: string; port: string }, host: string, scheme = o.scheme) => `${scheme}://${host}${o.port}`;

/**
 * Attacker-shaped origins the regex accepts, made from the origins it is meant to accept: a literal
 * dot replaced by another character, a suffix appended to the host, a name in front of the site
 * and `http` in place of `https`. At most one per kind, in that order.
 */
export function hostileOrigins(a: RegexAnalysis): HostileOrigin[] {
  const found = new Map<HostileKind, HostileOrigin>();
  const add = (kind: HostileKind, origin: string, from: string) => {
    if (!found.has(kind)) found.set(kind, { kind, origin, from });
  };
  for (const sample of a.samples) {
    const o = originParts(sample);
    if (!o) continue;
    const ip = o.host.startsWith('[');
    const site = siteOf(o.host);

    if (!ip) {
      for (let i = o.host.indexOf('.'); i >= 0; i = o.host.indexOf('.', i + 1)) {
        for (const r of ['x', '-']) {
          const host = `${o.host.slice(0, i)}${r}${o.host.slice(i + 1)}`;
          const origin = withHost(o, host);
          if (siteOf(host) !== site && a.accepts(origin)) add('dot', origin, sample);
        }
      }
      for (const suffix of ['.evil.test', '.evil', '-evil.test', 'evil.test', 'evil']) {
        const host = `${o.host}${suffix}`;
        const origin = withHost(o, host);
        if (siteOf(host) !== site && a.accepts(origin)) add('suffix', origin, sample);
      }
      if (!/^[0-9.]+$/.test(o.host)) {
        // "evil" glued in front of the site: the regex lets anything end with the site's name. A
        // regex that accepts any label there at all is a public-suffix wildcard, reported by that rule.
        const prefixed = withHost(o, `evil${site}`);
        const dot = site.indexOf('.');
        const swapped = withHost(o, dot < 0 ? 'evil' : `evil${site.slice(dot)}`);
        if (a.accepts(prefixed) && !a.accepts(swapped)) add('prefix', prefixed, sample);
      }
    }
    if (o.scheme === 'https' && !isLoopbackHost(o.host)) {
      const origin = withHost(o, o.host, 'http');
      if (a.accepts(origin)) add('http', origin, sample);
    }
  }
  return [...found.values()];
}

/** Plain-http, non-loopback origins among the regex's samples. */
export function insecureSamples(a: RegexAnalysis): string[] {
  return a.samples.filter((s) => {
    const o = originParts(s);
    return o !== null && o.scheme === 'http' && !isLoopbackHost(o.host);
  });
}

export interface SuffixSpan {
  /** The public suffix the regex accepts several sites under. */
  suffix: string;
  /** Two of those sites' origins, both accepted. */
  sample: string;
  other: string;
}

const LABELS = ['evil', 'x', 'z', '0', '1', '9', 'x1', 'evil-1'];

/**
 * Whether the regex accepts any name in the label right below a public suffix, i.e. origins of
 * different sites under one suffix (like `https://*.github.io`).
 */
export function publicSuffixSpan(a: RegexAnalysis): SuffixSpan | null {
  for (const sample of a.samples) {
    const o = originParts(sample);
    if (!o || o.host.startsWith('[') || /^[0-9.]+$/.test(o.host)) continue;
    const labels = o.host.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const suffix = labels.slice(i + 1).join('.');
      if (!isPublicSuffix(suffix)) continue;
      for (const label of LABELS) {
        if (label === labels[i]) continue;
        const other = withHost(o, [...labels.slice(0, i), label, ...labels.slice(i + 1)].join('.'));
        if (a.accepts(other)) return { suffix, sample, other };
      }
    }
  }
  return null;
}
