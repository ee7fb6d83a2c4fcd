// The Caddy view model: the response plan (src/plan) mapped onto Caddy mechanisms (names, map entries,
// matchers, quoting); templates/caddy/cors.hbs only lays the result out. No CORS decision is made here.
//
// Shape of one policy's snippets (Caddy 2.6.2, see docs/servers.md, Caddy):
// - `@cors-<name>-allowed`: the origin lookup as `expression` matchers (CEL). Caddy compiles them with
//   cel-go's optimizer, which turns `x in [constant strings]` into a hash set; one expression is
//   capped at 100,000 code points, so long lists are cut into chunks, ORed as
//   `not { not expression … }`. `*.host[:port]` entries are hashed too: one shape regex per scheme
//   and label count, then the origin's last labels looked up in a set. Other regexes come last.
//   (Caddy 2.6.2's `map` compares its keys one by one: 10,000 origins cost ~85 µs of CPU a request,
//   100 wildcard regexes ~195 µs; measured, see the README.)
// - every top-level directive is a route that Caddy re-wraps on every request (Subroute.ServeHTTP
//   compiles its routes per request), so the common path has three: `header @allowed { … }`,
//   `header +Vary Origin`, `handle @preflight { … }`. A lookup with a regex or several lists runs
//   once, into a variable (`vars @allowed cors-<name>-ok yes`), one route more.
// - immediate `header` ops at the top level (deferred ones are lost on error responses); they run
//   before `handle`, `respond` and `reverse_proxy` whatever the site contains.
// - `handle @preflight { header …; respond @ok 204; respond 403 }`: a `handle` with a named matcher is
//   never sorted behind the site's own `handle`/`route` blocks when the snippet is imported first, so
//   preflights never reach the application.
// - the `-upstream` snippet deletes the application's CORS headers with `header_down`, because the
//   proxy adds the upstream's headers to ours.
import type { PolicySet, Upstream } from '../../model/types.js';
import { buildPlan, type HeaderPlan, type OriginLookup, type PolicyPlan, type ProxyPlan, type ReflectedRequestHeader, type ResponsePlan } from '../../plan/index.js';
import { checkedPrefix, prefixRegex, type PrefixRoute } from '../paths.js';

export const CADDY_FILE = 'cors.caddy';

/** `vars <matcher> <variable> <value>`: sets a request variable when the matcher matches. */
export interface CaddyVars {
  matcher: string;
  variable: string;
  value: string;
}

export interface CaddyMatcher {
  /** Without the `@`. */
  name: string;
  /** One-line matchers, ANDed. */
  conditions: string[];
  /** Whether a `not { … }` block follows, negating the AND of `notConditions`. */
  hasNotBlock: boolean;
  notConditions: string[];
}

export interface CaddyHeaderField {
  field: string;
  /** A Caddyfile token (quoted when needed). */
  value: string;
}

export interface CaddyHeaderBlock {
  /** Named matcher, `@` included. */
  matcher: string;
  fields: CaddyHeaderField[];
}

/** `respond [<matcher>] <status>`; the matcher is empty for the last one. */
export interface CaddyRespond {
  matcher: string;
  status: number;
}

/**
 * `handle @preflight { … }`: the one top-level route preflights take. Inside: the lookup's answer as
 * a variable (so the lookup runs once more, not once per line), the preflight's headers, 204 when
 * allowed, else 403.
 */
export interface CaddyPreflight {
  matcher: string;
  /** Null when every preflight is allowed (`origins: "*"`). */
  vars: CaddyVars | null;
  headers: CaddyHeaderBlock[];
  responds: CaddyRespond[];
}

/** Proxy mode (docs/contract.md §6): one governed prefix forwarded to the upstream. */
export interface CaddyForward {
  /** Named matcher, `@` included. */
  matcher: string;
  /** `rewrite * <this>`: the upstream's base path, the rest of the cleaned path, the query. */
  rewrite: string;
  /** `reverse_proxy <this>`: the upstream's scheme, host and port. */
  address: string;
  /** Lines inside `reverse_proxy { }` (header_up / header_down). */
  lines: string[];
  /** Lines inside `transport http { }`; empty for an http upstream. */
  transport: string[];
}

export interface CaddyPolicyView {
  name: string;
  snippet: string;
  upstreamSnippet: string;
  matchers: CaddyMatcher[];
  /** The `header` op that adds `Vary: Origin` (an add, never a set). */
  vary: CaddyHeaderField;
  /** `@<matcher> ` before the Vary op when the policy governs only some paths, else empty. */
  varyMatcher: string;
  /** Whether the file names paths: then the policy governs only some paths (docs/contract.md §2a). */
  pathScoped: boolean;
  /** The prefixes it governs, for the comment. */
  governed: { prefix: string; except: string }[];
  /** With paths: one per prefix, marking a request the policy governs. */
  vars: CaddyVars[];
  /** Top-level `header` blocks: what an allowed request of either kind carries. */
  headers: CaddyHeaderBlock[];
  preflight: CaddyPreflight;
  /** A matcher for everything but preflights, for the user's basicauth / forward_auth. */
  notPreflightMatcher: string;
  /** `header_down` arguments of the upstream snippet. */
  headerDown: string[];
  /** Proxy mode: the forwarding handles, longest prefix first (empty otherwise). */
  forwards: CaddyForward[];
  /** Proxy mode, for the comment: the upstream URL and what verifies its certificate. */
  upstreamUrl: string;
  trust: string;
  /** Proxy mode: the `handle … {` line answering 400 to a governed path that cannot be forwarded. */
  unforwardable: string | null;
}

export interface CaddyView {
  file: string;
  policyNames: string;
  policies: CaddyPolicyView[];
}

const ORIGIN = '{http.request.header.Origin}';
const REQUEST_METHOD = '{http.request.header.Access-Control-Request-Method}';
const REQUEST_HEADERS = '{http.request.header.Access-Control-Request-Headers}';
const YES = 'yes';

/**
 * A string as one Caddyfile token. Caddy 2.6.2's lexer keeps every byte of a bare token; inside
 * "…" it turns `\"` into `"` and keeps every other backslash (so `\.` stays `\.`); inside `…` it
 * keeps everything. `{$NAME}` is replaced by an environment variable before lexing, anywhere in
 * the file, quoted or not, so it must never appear (see caddyRegex).
 */
export function caddyToken(value: string): string {
  if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`caddy: cannot write ${JSON.stringify(value)} as a Caddyfile token`);
  }
  if (value.includes('{$')) throw new Error(`caddy: ${JSON.stringify(value)} would be taken for an environment variable`);
  if (/^[A-Za-z0-9][A-Za-z0-9._:/[\]-]*$/.test(value)) return value;
  if (!value.includes('"') && !value.endsWith('\\')) return `"${value}"`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new Error(`caddy: cannot quote ${JSON.stringify(value)} for the Caddyfile`);
}

/**
 * A regex whose every `{` directly before a `$` is written `\x7b`, so that the Caddyfile's
 * environment substitution (`{$NAME}`) never sees it. Such a `{` can only be a literal (it cannot
 * start a repetition), and `\x7b` is a literal `{` in RE2 and PCRE, inside and outside classes.
 */
export function caddyRegex(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      out += next === '{' && source[i + 2] === '$' ? '\\x7b' : `\\${next}`;
      i++;
    } else if (c === '{' && source[i + 1] === '$') {
      out += '\\x7b';
    } else {
      out += c;
    }
  }
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function tokens(values: readonly string[], what: string): readonly string[] {
  for (const v of values) if (!TOKEN.test(v)) throw new Error(`caddy: ${what} ${JSON.stringify(v)} is not an RFC 9110 token`);
  return values;
}

function field(name: string, value: string): CaddyHeaderField {
  return { field: name, value: caddyToken(value) };
}

/** The names of one policy's Caddy objects (matchers, regexp names, variables). */
interface Names {
  policy: string;
  matcher(suffix: string): string;
  /** Inside the preflight's `handle`: `yes` when the origin is allowed, else unset. */
  ok: string;
  /** With paths: `yes` where the policy governs the path, else unset. */
  governed: string;
}

function names(policy: string): Names {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(policy)) throw new Error(`caddy: invalid policy name ${JSON.stringify(policy)}`);
  return { policy, matcher: (suffix) => `cors-${policy}-${suffix}`, ok: `cors-${policy}-ok`, governed: `cors-${policy}-in` };
}

/** Request headers a matcher tests for a non-empty value, with the short name of their regexp. */
const REQUEST_HEADER_KEYS: Record<ReflectedRequestHeader | 'Access-Control-Request-Private-Network', string> = {
  Origin: 'origin',
  'Access-Control-Request-Method': 'acrm',
  'Access-Control-Request-Headers': 'acrh',
  'Access-Control-Request-Private-Network': 'acrpn',
};

/** `header_regexp` with a per-policy name; `.` tests for a non-empty value (the `header` matcher's
 * `*` also matches an empty one). */
function headerRegexp(n: Names, header: keyof typeof REQUEST_HEADER_KEYS, regex = '.'): string {
  const token = /^[\^$.A-Za-z0-9]+$/.test(regex) ? regex : caddyToken(regex);
  return `header_regexp ${n.matcher(REQUEST_HEADER_KEYS[header])} ${header} ${token}`;
}

const escapeRegex = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * A CEL string literal. `{` is written `\x7b` (Caddy would take `{name}` for a placeholder, and
 * `{$NAME}` for an environment variable) and the backquote `\x60` (the expression is a backquoted
 * Caddyfile token); the value is unchanged.
 */
export function celString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`caddy: cannot write ${JSON.stringify(value)} as a CEL string`);
  return `"${value.replace(/[\\"{`]/g, (c) => (c === '{' ? '\\x7b' : c === '`' ? '\\x60' : `\\${c}`))}"`;
}

/** Code points of one CEL expression that cel-go still parses (its limit is 100,000). */
export const CEL_LIMIT = 90_000;

/** `<subject> in [...]` expressions of at most CEL_LIMIT code points, together covering `values`. */
export function inChunks(subject: string, values: readonly string[], prefix = ''): string[] {
  const out: string[] = [];
  let items: string[] = [];
  let size = 0;
  const head = `${prefix}${subject} in [`;
  const flush = () => {
    if (items.length > 0) out.push(`${head}${items.join(',')}]`);
    items = [];
    size = 0;
  };
  for (const v of values) {
    const item = celString(v);
    if (head.length + size + item.length + 2 > CEL_LIMIT) flush();
    if (head.length + item.length + 2 > CEL_LIMIT) throw new Error(`caddy: the origin entry ${JSON.stringify(v)} is too long for one CEL expression`);
    items.push(item);
    size += item.length + 1;
  }
  flush();
  return out;
}

const CEL_ORIGIN = ORIGIN;
/** One DNS label and its dot, as src/model/regex.ts writes it. */
const LABEL = '([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)';

/**
 * `*.host[:port]` entries of one scheme whose suffix has `segments` dot-separated parts: the shape
 * regex proves the origin is `<scheme>://<labels>.<segments parts>` (so every dot searched for
 * below exists), then its last `segments` parts are looked up in the set of suffixes.
 */
function suffixExpressions(scheme: string, segments: number, suffixes: readonly string[]): string[] {
  const shape = `^${scheme}://${LABEL}+[^.]+${segments > 1 ? `(\\.[^.]+){${segments - 1}}` : ''}$`;
  // The start of the last `segments` parts: after the segments-th dot from the end (ext.Strings'
  // lastIndexOf searches backward from its offset). Cheaper than split: ~5–10 µs a request less.
  let dot = `${CEL_ORIGIN}.lastIndexOf(".")`;
  for (let i = 1; i < segments; i++) dot = `${CEL_ORIGIN}.lastIndexOf(".", ${dot} - 1)`;
  return inChunks(`${CEL_ORIGIN}.substring(${dot} + 1)`, suffixes, `${CEL_ORIGIN}.matches(${celString(shape)}) && `);
}

/**
 * The plan's origin lookup as the conditions of one named matcher: exact origins and
 * `*.host[:port]` suffixes by hash, then every other regex. Several expressions are ORed as
 * `not { not expression A  not expression B … }`: the inner `not` lines merge into one negation of
 * A OR B (Caddy 2.6.2 modules/caddyhttp/matchers.go, MatchNot), which stops at the first
 * expression that matches, so the regexes run only when no hash lookup allowed the origin.
 */
function originLookup(origins: OriginLookup): Omit<CaddyMatcher, 'name'> | null {
  if (origins.kind === 'any') return null;
  const expressions = inChunks(CEL_ORIGIN, [...new Set(origins.exact)]);
  const groups = new Map<string, { scheme: string; segments: number; suffixes: Set<string> }>();
  const others: string[] = [];
  for (const r of origins.regexes) {
    if (!r.subdomainsOf) {
      others.push(r.regex);
      continue;
    }
    const { scheme, suffix } = r.subdomainsOf;
    const segments = suffix.split('.').length;
    const key = `${scheme} ${segments}`;
    const g = groups.get(key) ?? { scheme, segments, suffixes: new Set<string>() };
    g.suffixes.add(suffix);
    groups.set(key, g);
  }
  for (const g of groups.values()) expressions.push(...suffixExpressions(g.scheme, g.segments, [...g.suffixes]));
  for (const re of new Set(others)) expressions.push(`${CEL_ORIGIN}.matches(${celString(re)})`);
  const lines = expressions.map((e) => `expression ${caddyToken(e)}`);
  if (lines.length === 1) return block(lines);
  return block([], lines.map((l) => `not ${l}`));
}

/**
 * Contract §2a with Caddy's own path matcher: it compares the cleaned path (decoded, dot-segments
 * resolved, slashes merged, trailing dots and spaces trimmed) ignoring case. One matcher per
 * prefix, minus the longer prefixes of the file's other policies, sets a request variable; the
 * `vars` directive runs before `header` and `handle` whatever the site holds, so every other
 * matcher of the policy can test it.
 */
function pathMatchers(n: Names, routes: PrefixRoute[]): { matchers: CaddyMatcher[]; vars: CaddyVars[] } {
  const matchers: CaddyMatcher[] = [];
  const vars: CaddyVars[] = [];
  routes.forEach((r, i) => {
    const name = n.matcher(`path-${i}`);
    const conditions = [`path ${caddyToken(`${r.prefix}*`)}`];
    if (r.excluded.length > 0) conditions.push(`not path ${r.excluded.map((e) => caddyToken(`${e}*`)).join(' ')}`);
    matchers.push({ name, conditions, hasNotBlock: false, notConditions: [] });
    vars.push({ matcher: `@${name}`, variable: n.governed, value: YES });
  });
  return { matchers, vars };
}

const block = (conditions: string[], not: string[] = []): Omit<CaddyMatcher, 'name'> => ({ conditions, hasNotBlock: not.length > 0, notConditions: not });

/**
 * Contract §2: OPTIONS with a non-empty Origin and Access-Control-Request-Method, as one CEL
 * expression: `&&` evaluates left to right and stops at the first false term, so a request that
 * is not OPTIONS costs one string comparison. (The matchers of one named matcher run in an order
 * Caddy does not fix, so `method OPTIONS` beside two `header_regexp` lines would sometimes run a
 * regex on every GET.) `header_regexp` tests every value of the field, as the evaluator's Caddy
 * reading assumes (src/model/server-request.ts).
 */
function preflightExpression(n: Names, scoped: boolean): string {
  const governed = scoped ? `{http.vars.${n.governed}} == "${YES}" && ` : '';
  const present = (h: 'Origin' | 'Access-Control-Request-Method') => `header_regexp(${celString(n.matcher(REQUEST_HEADER_KEYS[h]))}, ${celString(h)}, ".")`;
  return `${governed}{http.request.method} == "OPTIONS" && ${present('Access-Control-Request-Method')} && ${present('Origin')}`;
}

const PLACEHOLDER: Record<Exclude<ReflectedRequestHeader, 'Origin'>, string> = {
  'Access-Control-Request-Method': REQUEST_METHOD,
  'Access-Control-Request-Headers': REQUEST_HEADERS,
};

/** The matcher suffix of a header sent only when the request asks (`onlyIf`). */
const ONLY_IF_SUFFIX: Record<NonNullable<HeaderPlan['onlyIf']>['header'], string> = { 'Access-Control-Request-Private-Network': 'pna' };

/** One way to write a header: under the stage's matcher plus `extra` conditions (named `suffix`). */
interface HeaderCase {
  suffix: string;
  extra: string[];
  field: CaddyHeaderField;
}

/**
 * A plan entry as header ops. A reflected list is written twice when the request header may be
 * empty: with its placeholder appended when the request header is non-empty, and the listed names
 * alone otherwise (no case when nothing is listed).
 */
function headerCases(n: Names, h: HeaderPlan, requires: ReadonlySet<string>): HeaderCase[] {
  const only = h.onlyIf ? { suffix: `-${ONLY_IF_SUFFIX[h.onlyIf.header]}`, extra: [headerRegexp(n, h.onlyIf.header, `^${escapeRegex(h.onlyIf.equals)}$`)] } : { suffix: '', extra: [] };
  const one = (value: string, suffix = only.suffix, extra = only.extra): HeaderCase => ({ suffix, extra, field: field(h.name, value) });
  switch (h.value.kind) {
    case 'literal':
      return [one(h.value.text)];
    case 'origin':
      return [one(ORIGIN)];
    case 'list': {
      const listed = tokens(h.value.listed, h.name === 'Access-Control-Allow-Methods' ? 'method' : 'header');
      const reflect = h.value.reflect;
      if (reflect === null) return [one(listed.join(', '))];
      const withRequest = [...listed, PLACEHOLDER[reflect]].join(', ');
      if (requires.has(reflect)) return [one(withRequest)];
      const key = REQUEST_HEADER_KEYS[reflect];
      const present = headerRegexp(n, reflect);
      const cases = [one(withRequest, `${only.suffix}-${key}`, [...only.extra, present])];
      if (listed.length > 0) cases.push(one(listed.join(', '), `${only.suffix}-no-${key}`, [...only.extra, `not ${present}`]));
      return cases;
    }
  }
}

/** Header blocks of one stage: the unconditional fields under `base`, each conditional case under a matcher of its own. */
function stageBlocks(n: Names, cases: HeaderCase[], stage: string, base: { matcher: string; conditions: string[] }, define: (name: string, body: Omit<CaddyMatcher, 'name'>) => string): CaddyHeaderBlock[] {
  const out = new Map<string, CaddyHeaderBlock>([['', { matcher: base.matcher, fields: [] }]]);
  for (const c of cases) {
    let b = out.get(c.suffix);
    if (!b) {
      b = { matcher: define(n.matcher(`${stage}${c.suffix}`), block([...base.conditions, ...c.extra])), fields: [] };
      out.set(c.suffix, b);
    }
    b.fields.push(c.field);
  }
  return [...out.values()].filter((b) => b.fields.length > 0);
}

/**
 * The plan's headers. An allowed request of either kind gets the actual-request headers at the top
 * level (one `header` route under the allowed matcher); the preflight's `handle` then sets what
 * differs for a preflight and deletes what a preflight must not carry (a delete defers the block's
 * ops to the 204, headers/caddyfile.go). An actual request never enters that `handle`, so the
 * common path is one lookup and one `header` op.
 */
function headerPlan(n: Names, plan: PolicyPlan, allowedMatcher: string, allowedConditions: string[], okMatcher: string, define: (name: string, body: Omit<CaddyMatcher, 'name'>) => string): { top: CaddyHeaderBlock[]; preflight: CaddyHeaderBlock[] } {
  const actualCases = plan.headers.filter((h) => h.on === 'actual').flatMap((h) => headerCases(n, h, new Set(['Origin'])));
  const preflightCases = plan.headers.filter((h) => h.on === 'preflight').flatMap((h) => headerCases(n, h, new Set(['Origin', 'Access-Control-Request-Method'])));
  if (actualCases.some((c) => c.suffix !== '')) throw new Error('caddy: a conditional header on actual requests has no Caddy form here');
  const top = stageBlocks(n, actualCases, 'actual', { matcher: allowedMatcher, conditions: allowedConditions }, define);
  const same = (a: CaddyHeaderField, b: CaddyHeaderField) => a.field === b.field && a.value === b.value;
  const needed = preflightCases.filter((c) => c.suffix !== '' || !actualCases.some((a) => same(a.field, c.field)));
  const okConditions = okMatcher === '' ? [] : [`vars ${n.ok} ${YES}`];
  const preflight = stageBlocks(n, needed, 'preflight', { matcher: okMatcher, conditions: okConditions }, define);
  const drop = actualCases.filter((a) => !preflightCases.some((c) => c.field.field === a.field.field)).map((a) => ({ field: `-${a.field.field}`, value: '' }));
  if (drop.length > 0) {
    const own = preflight.find((b) => b.matcher === okMatcher);
    if (own) own.fields.push(...drop);
    else preflight.unshift({ matcher: okMatcher, fields: drop });
  }
  return { top, preflight };
}

/** Text for a `#` comment: one line, or a bug (the checks refuse control characters). */
function commentLine(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new Error(`caddy: cannot write ${JSON.stringify(text)} in a comment`);
  return text;
}

/** Characters an upstream base path may hold here (the checks refuse the rest before a target runs). */
const SAFE_BASE_PATH = /^\/[A-Za-z0-9._~!&'()*+,;=:@/-]*$/;

const escapeRe = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** `host[:port]` as the upstream's Host header: the port only when it is not the scheme's default. */
function hostPort(u: Upstream): string {
  return u.port === null ? u.host : `${u.host}:${u.port}`;
}

/**
 * The `reverse_proxy` lines for one prefix: Host of the upstream, Cookie and Authorization dropped
 * without credentials, the upstream's CORS headers removed, a redirect into the base path mapped
 * onto the prefix (absolute, with or without the default port, or path-absolute), and Set-Cookie's
 * Domain emptied (RFC 6265 §5.2.3: ignored) and a Path under the base path mapped likewise.
 * Caddy 2.6.2 sets no Host for an https upstream by itself, and `header_down <field> <regexp>
 * <replacement>` replaces in every value of the field.
 */
function proxyLines(proxy: ProxyPlan, strip: readonly string[], prefix: string): string[] {
  const u = proxy.upstream;
  const base = u.basePath;
  const defaultPort = u.scheme === 'https' ? 443 : 80;
  const origin = `(?i:${escapeRe(`${u.scheme}://${u.host}`)})${u.port === null ? `(:${defaultPort})?` : `:${u.port}`}`;
  const to = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return [
    `header_up Host ${caddyToken(hostPort(u))}`,
    ...proxy.dropRequestHeaders.map((h) => `header_up -${h}`),
    ...strip.map((h) => `header_down -${h}`),
    `header_down Location ${caddyToken(`^(${origin})?${escapeRe(base)}`)} ${caddyToken(to)}`,
    `header_down Set-Cookie ${caddyToken('(?i);[ \\t]*domain=[^;]*')} ${caddyToken('; Domain=')}`,
    `header_down Set-Cookie ${caddyToken(`(?i:;[ \\t]*path=)${escapeRe(base)}`)} ${caddyToken(`; Path=${to}`)}`,
  ];
}

/** `transport http { }`: SNI and verification for https (against `ca`, else the system store). */
function transport(u: Upstream): string[] {
  if (u.scheme !== 'https') return [];
  const out = [`tls_server_name ${caddyToken(u.host.replace(/^\[|\]$/g, ''))}`];
  if (u.ca !== null) out.push(`tls_trusted_ca_certs ${caddyToken(u.ca)}`);
  return out;
}

/**
 * Contract §6 with Caddy's own path cleaning: `path_regexp` matches the cleaned path (decoded,
 * dot-segments resolved, slashes merged), so what follows the prefix can never climb out of the
 * base path. `rewrite` decodes the path it is given once more, so a rest holding `%` (a decoded
 * `%25`), `?` or `#` is not forwarded at all: that governed request is answered 400.
 */
function forwarding(n: Names, plan: PolicyPlan, scoped: boolean, define: (name: string, body: Omit<CaddyMatcher, 'name'>) => string): CaddyForward[] {
  if (!plan.proxy) return [];
  const u = plan.proxy.upstream;
  if (!SAFE_BASE_PATH.test(u.basePath) || !u.basePath.endsWith('/')) throw new Error(`caddy: the upstream path ${JSON.stringify(u.basePath)} reached the target unchecked`);
  const prefixes = [...plan.paths].map((p) => checkedPrefix(p, 'caddy')).sort((a, b) => b.length - a.length);
  return prefixes.map((prefix, i) => {
    const re = n.matcher(`fwd-${i}`);
    const conditions = [...(scoped ? [`vars ${n.governed} ${YES}`] : []), `path_regexp ${re} ${caddyToken(`(?i)${prefixRegex(prefix)}([^%?#]*)$`)}`];
    return {
      matcher: define(n.matcher(`forward-${i}`), block(conditions)),
      rewrite: caddyToken(`${u.basePath}{re.${re}.1}?{http.request.uri.query}`),
      address: caddyToken(`${u.scheme}://${hostPort(u)}`),
      lines: proxyLines(plan.proxy!, plan.strip, prefix),
      transport: transport(u),
    };
  });
}

export function buildPolicyView(plan: PolicyPlan, routes: PrefixRoute[] | null = null): CaddyPolicyView {
  const n = names(plan.name);
  const scoped = routes !== null;
  const matchers: CaddyMatcher[] = [];
  const define = (name: string, body: Omit<CaddyMatcher, 'name'>): string => {
    matchers.push({ name, ...body });
    return `@${name}`;
  };
  const governed = scoped ? [`vars ${n.governed} ${YES}`] : [];
  // Allowed: the lookup (or, for origins "*", a non-empty Origin), where the policy governs.
  const lookup = originLookup(plan.origins) ?? block([headerRegexp(n, 'Origin')]);
  const allowedBody = block([...governed, ...lookup.conditions], lookup.notConditions);
  const allowed = define(n.matcher('allowed'), allowedBody);
  const preflightCel = preflightExpression(n, scoped);
  const preflightMatcher = define(n.matcher('preflight'), block([`expression ${caddyToken(preflightCel)}`]));
  const refusable = plan.answers.refused !== null;
  const ok = refusable ? define(n.matcher('ok'), block([`vars ${n.ok} ${YES}`])) : '';
  // A lookup of one hashed list costs about as much as testing a variable: the preflight's handle
  // repeats it. A longer one (several lists, a regex) runs once, into the variable, before the
  // headers; that costs one more route on every request (docs/servers.md, Caddy).
  const once = refusable && (lookup.hasNotBlock || lookup.conditions.some((c) => c.includes('.matches(')));
  const headers = once ? headerPlan(n, plan, ok, [`vars ${n.ok} ${YES}`], ok, define) : headerPlan(n, plan, allowed, allowedBody.conditions, ok, define);
  if (allowedBody.hasNotBlock && headers.top.some((b) => b.matcher !== allowed && b.matcher !== ok)) throw new Error('caddy: a conditional header cannot share the lookup\'s not-block');
  const lookupVars: CaddyVars[] = refusable ? [{ matcher: allowed, variable: n.ok, value: YES }] : [];
  const notPreflight = define(n.matcher('not-preflight'), block([`not expression ${caddyToken(preflightExpression(n, false))}`]));
  // With paths: a request the policy governs has the governed variable set, to either answer.
  const governedMatcher = scoped ? define(n.matcher('in'), block([`vars ${n.governed} ${YES}`])) : null;
  const paths = routes ? pathMatchers(n, routes) : { matchers: [], vars: [] };
  const forwards = forwarding(n, plan, scoped, define);
  const responds: CaddyRespond[] = refusable ? [{ matcher: ok, status: plan.answers.allowed }, { matcher: '', status: plan.answers.refused! }] : [{ matcher: '', status: plan.answers.allowed }];

  return {
    name: plan.name,
    snippet: `cors-${plan.name}`,
    upstreamSnippet: `cors-${plan.name}-upstream`,
    matchers: [...paths.matchers, ...matchers],
    vary: { field: '+Vary', value: plan.vary },
    varyMatcher: governedMatcher ? `${governedMatcher} ` : '',
    pathScoped: scoped,
    governed: (routes ?? []).map((r) => ({ prefix: r.prefix, except: r.excluded.length > 0 ? ` (except ${r.excluded.join(', ')}: another policy's)` : '' })),
    // After the path variables: the allowed matcher tests the governed one.
    vars: [...paths.vars, ...(once ? lookupVars : [])],
    headers: headers.top,
    preflight: {
      matcher: preflightMatcher,
      vars: once ? null : (lookupVars[0] ?? null),
      headers: headers.preflight,
      responds,
    },
    notPreflightMatcher: notPreflight,
    headerDown: plan.strip.map((h) => `-${h}`),
    forwards,
    upstreamUrl: commentLine(plan.proxy?.upstream.url ?? ''),
    trust: commentLine(plan.proxy?.upstream.ca ?? 'the system trust store'),
    unforwardable: forwards.length === 0 ? null : `handle ${governedMatcher ? `${governedMatcher} ` : ''}{`,
  };
}

/**
 * Each prefix of `policy` minus the longer prefixes of the other policies that extend it, compared
 * ignoring case as Caddy's path matcher does; null when the file names no paths.
 */
export function caddyRoutes(plan: ResponsePlan, policy: string): PrefixRoute[] | null {
  if (!plan.policies.some((p) => p.paths.length !== 1 || p.paths[0] !== '/')) return null;
  const fold = (s: string) => s.toLowerCase();
  const others = plan.routes.filter((r) => r.policy !== policy).map((r) => checkedPrefix(r.prefix, 'caddy'));
  return plan.policies
    .find((p) => p.name === policy)!
    .paths.map((raw) => {
      const prefix = checkedPrefix(raw, 'caddy');
      // plan.routes is longest first, so the excluded prefixes are too.
      const excluded = [...new Set(others.filter((o) => o.length > prefix.length && fold(o).startsWith(fold(prefix))))];
      return { prefix, excluded };
    });
}

export function buildCaddyView(set: PolicySet): CaddyView {
  const plan = buildPlan(set);
  return {
    file: CADDY_FILE,
    policyNames: plan.policies.map((p) => p.name).join(', '),
    policies: plan.policies.map((p) => buildPolicyView(p, caddyRoutes(plan, p.name))),
  };
}
