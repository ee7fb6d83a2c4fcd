// The Apache httpd view model: every decision the generated <name>.conf embodies is made here, as
// data the template (templates/apache/policy.hbs) only lays out.
//
// Shape of one policy's file (vhost context, environment variables CORSGEN_<NAME>_*):
//   1. SetEnvIfExpr    capture Origin, Access-Control-Request-Method (and -Headers, -Private-Network
//                      when the policy reflects or answers them) into env vars at post-read-request:
//                      a later `RequestHeader` edit cannot change what is reflected (after an
//                      ErrorDocument redirect the original request's Origin is kept).
//   2. SetEnvIfExpr    exact origins: `reqenv(ORIGIN) -in {'…', …}` (string compares, 100 a directive);
//                      patterns and user regexes: `reqenv(ORIGIN) =~ m#…#`, one anchored regex each.
//                      Any match sets MATCH. Everything after step 1 reads the captured values only.
//   3. SetEnvIfExpr    the decisions, each one env flag: OK (allowed Origin), PREFLIGHT (OPTIONS +
//                      Origin + ACRM), PF_OK, PF_REFUSED, ACTUAL_OK, and one flag per reflected header or
//                      `onlyIf` condition of the plan (PF_OK_ACRH, PF_OK_ACRPN).
//   4. RewriteRule     PF_OK → [R=204,L]; PF_REFUSED → [F] (403). Never proxied.
//   5. Header          unset the 7 CORS headers in both tables (onsuccess = proxied headers_out,
//                      always = err_headers_out), merge Vary: Origin, then `Header always set|append`
//                      each CORS header under one env flag (always: also on 204/403/4xx/5xx).
//
// Why exact origins are an ap_expr `-in` list rather than one regex per origin: Apache has no hash
// lookup usable from one included file (RewriteMap needs a second file, and its txt:/dbm: cache keeps
// every distinct key per child without bound). Every server-level SetEnvIfExpr runs on every request,
// so the cost is what the directives do (test/bench/cpu-apache.ts, server CPU time per request,
// 2.4.71): a `-in` compare ~8 ns an item, a regex ~0.85 µs, a directive whose first test fails
// ~0.04 µs. Hence, for the bench's 9,900 exact origins + 100 wildcards + 3 regexes: exact origins
// bucketed by MD5 (BUCKET_FROM) and wildcards looked up by key (WILDCARD_LOOKUP_FROM) took the
// extra CPU per request from ~150 µs to ~11 µs. What is left is mostly the ~100 list directives
// that fail their bucket test: one lookup per request is the floor no single included file reaches.
// Exact origins are plain host characters, so the single-quoted ap_expr strings need no escaping;
// an origin with any other character falls back to its escaped regex.
import { createHash } from 'node:crypto';
import { doubleQuoted } from '../quoting.js';
import { escapeRegex } from '../../model/regex.js';
import type { PolicySet } from '../../model/types.js';
import { buildPlan, type HeaderPlan, type ProxyPlan, type PolicyPlan, type ReflectedRequestHeader, type ResponsePlan, type Route, type Stage } from '../../plan/index.js';
import { checkedPrefix, prefixRegex, type PrefixRoute } from '../paths.js';

/** Exact origins per `-in` list: keeps each directive a few kilobytes long. */
export const EXACT_ORIGINS_PER_DIRECTIVE = 100;

export interface ApacheCapture {
  comment: string;
  /** Quoted ap_expr condition; its regex group `$1` is the captured value. */
  expr: string;
  /** `ENV=$1` (the whole header value) or `ENV=1`. */
  assign: string;
}

export interface ApacheExactOrigin {
  /** One list element, with its trailing comma except on the last: `'https://a.example',` */
  item: string;
}

export interface ApacheExactList {
  /**
   * The ap_expr word compared with the list, `reqenv('CORSGEN_X_ORIGIN')`, after the bucket test
   * when the origins are bucketed: `reqenv('CORSGEN_X_OB') == 'a' && reqenv('CORSGEN_X_ORIGIN')`.
   */
  source: string;
  origins: ApacheExactOrigin[];
  /** `CORSGEN_X_MATCH=1` */
  assign: string;
}

export interface ApacheRegexMatch {
  /** The policy entry, for the comment above the directive. */
  written: string;
  /** Quoted ap_expr condition: the captured Origin against the entry's anchored regex. */
  expr: string;
  assign: string;
}

export interface ApacheDecision {
  comment: string;
  /** Quoted ap_expr condition. */
  expr: string;
  assign: string;
}

export interface ApacheRewrite {
  comment: string;
  /** RewriteCond arguments that precede the flag test (the policy governs the path). */
  conds: string[];
  /** The RewriteCond test string, `%{ENV:<flag>}`: the rule applies when it is `1`. */
  test: string;
  /** RewriteRule flags, with brackets. */
  flags: string;
}

export interface ApacheHeader {
  action: 'set' | 'append';
  name: string;
  /** Quoted mod_headers value (a format string: `%{VAR}e` expands, `%%` is a percent sign). */
  value: string;
  /** The condition: `env=<flag>` (the flag's presence adds the header), or a quoted `expr=…`. */
  condition: string;
}

export interface ApachePathRule {
  comment: string;
  /** RewriteCond arguments, ANDed. */
  conds: string[];
  /** RewriteRule arguments. */
  rule: string;
}

export interface ApachePolicyView {
  name: string;
  /** `<name>.conf` */
  file: string;
  /** `CORSGEN_<NAME>_`: every env var of this policy starts with it. */
  envPrefix: string;
  captures: ApacheCapture[];
  /** `origins: "*"`: no match directives; any non-empty Origin is allowed. */
  anyOrigin: boolean;
  /**
   * Directives that put a lookup key of the Origin in an env var before the lists: its bucket (many
   * exact origins) and, per depth, its `scheme://*.<base>[:port]` (many subdomain wildcards).
   */
  lookupKeys: ApacheCapture[];
  /** `-in` lists: exact origins, then subdomain wildcard keys. */
  exactLists: ApacheExactList[];
  regexMatches: ApacheRegexMatch[];
  decisions: ApacheDecision[];
  rewrites: ApacheRewrite[];
  /** Headers removed from the application's response (both tables). */
  removed: string[];
  /** The Vary token merged into every response. */
  vary: string;
  headers: ApacheHeader[];
  /** Whether the file names paths: then the policy governs only some paths (docs/contract.md §2a). */
  pathScoped: boolean;
  /** mod_rewrite rules that set the policy's IN flag where it governs the path. */
  pathRules: ApachePathRule[];
  /** ` env=<IN flag>` when path-scoped, else empty: the condition of the unset and Vary lines. */
  pathCondition: string;
  /** Proxy mode (docs/contract.md §6): the forwarding to the policy's upstream; null without `upstream`. */
  proxy: ApacheProxyView | null;
}

/** One configuration line with the comment above it. */
export interface ApacheLine {
  comment: string;
  line: string;
}

export interface ApacheProxyView {
  /** The upstream as written, for comments. */
  upstream: string;
  /** The quoted <Proxy> section URL: the upstream's origin and base path. */
  section: string;
  /** Directives inside the <Proxy> section: TLS verification, Host, the failure status. */
  sectionLines: ApacheLine[];
  /** RewriteCond arguments then RewriteRule arguments that turn the failure into 502. */
  failureConds: string[];
  failureRule: string;
  /** ProxyPassMatch per prefix: the path below the prefix appended to the base path. */
  passes: ApacheLine[];
  /** ProxyPassReverse per prefix: absolute redirects into the upstream back onto the proxy. */
  reverses: string[];
  /** Header edit lines on Location: path-absolute redirects into the base path, onto the prefix. */
  locationEdits: ApacheLine[];
  /** Header edit* lines on the upstream's Set-Cookie (Domain emptied, Path mapped). */
  cookieEdits: ApacheLine[];
  /** RequestHeader unset lines (credentials not forwarded). */
  requestUnsets: ApacheLine[];
}

export interface ApacheView {
  policies: ApachePolicyView[];
}

// --- strings in Apache configuration -----------------------------------------------------------

/**
 * A double-quoted configuration argument that Apache's reader (ap_getword_conf) turns back into
 * exactly `text`: inside quotes it reads `\\` as `\` and `\"` as `"` and keeps every other
 * backslash, so a backslash is doubled only before `\`, `"` or the closing quote (`\.` stays `\.`).
 * Apache also substitutes `${NAME}` on every line before tokenizing, with no escape: callers must
 * not pass `${` (see apExprRegex). A line break or control character cannot be quoted at all.
 */
export function apacheQuoted(text: string): string {
  if (text.includes('${')) throw new Error(`apache: "\${" in ${JSON.stringify(text)} would be read as a Define variable`);
  return doubleQuoted(text, 'apache', '\\');
}

/**
 * A regex as an ap_expr regex literal, `m#…#`, to be placed inside a quoted configuration argument.
 * ap_expr copies a regex literal verbatim up to the delimiter (it has no escape for it), so each
 * `#` (or `\#`) becomes `\x23`, which PCRE reads as the same literal `#`, in a class or not (the
 * checks refuse `\\`, so a backslash before `#` always escapes it). Apache's configuration reader
 * substitutes `${NAME}` (Define) on every line and logs AH00111 when NAME is undefined, and nothing
 * escapes it, so `${` is rewritten to an equivalent: after an unescaped `$` (an anchor, or a literal
 * in a class) `{` is a literal brace, as a quantifier cannot follow `$` (the regex check refuses
 * what does not compile), so `$\{` means the same; an escaped `\$` becomes `\x24`, the same literal
 * dollar, so a following `{n}` still quantifies it.
 */
export function apExprRegex(source: string): string {
  const safe = source
    .replace(/(\\?)\$\{/g, (_, escaped: string) => (escaped ? '\\x24{' : '$\\{'))
    .replace(/\\?#/g, '\\x23');
  return `m#${safe}#`;
}

/**
 * A quoted mod_headers value holding literal text: mod_headers reads `%` as the start of a format
 * specifier (`%t` is the time, `%{X}e` an env var), and `%%` as one percent sign. Tokens may hold `%`.
 */
export function headerLiteral(text: string): string {
  return apacheQuoted(text.replace(/%/g, '%%'));
}

/** Characters of an exact origin that a single-quoted ap_expr string holds as they are. */
const PLAIN_ORIGIN = /^[a-z0-9.:[\]/_-]+$/;

// --- names --------------------------------------------------------------------------------------

/**
 * `CORSGEN_<NAME>_` for the policy: names are `^[a-z][a-z0-9-]{0,31}$`, written in upper case with
 * `-` as `_`. No policy name holds `_`, so two policies never share a prefix-and-suffix pair.
 */
export function envPrefix(policy: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(policy)) throw new Error(`apache: invalid policy name ${JSON.stringify(policy)}`);
  return `CORSGEN_${policy.toUpperCase().replace(/-/g, '_')}_`;
}

export interface ApacheEnvNames {
  /** `CORSGEN_<NAME>_` */
  prefix: string;
  /** The request's Origin (non-empty). */
  origin: string;
  /** The request's Access-Control-Request-Method (non-empty). */
  acrm: string;
  /** The request's Access-Control-Request-Headers (non-empty). */
  acrh: string;
  /** Access-Control-Request-Private-Network is exactly `true`. */
  acrpn: string;
  /** The bucket of the Origin (many exact origins). */
  originBucket: string;
  /** An origin entry of the policy accepts the Origin. */
  match: string;
  /** The Origin is allowed. */
  ok: string;
  /** OPTIONS + Origin + Access-Control-Request-Method. */
  preflight: string;
  preflightOk: string;
  preflightRefused: string;
  actualOk: string;
  /** An allowed preflight whose Access-Control-Request-Headers is reflected. */
  reflectHeaders: string;
  /** An allowed preflight that gets Access-Control-Allow-Private-Network. */
  privateNetwork: string;
  /** The policy governs the request's path (set by mod_rewrite when the file names paths). */
  governed: string;
}

export function envNames(policy: string): ApacheEnvNames {
  const p = envPrefix(policy);
  return {
    prefix: p,
    origin: `${p}ORIGIN`,
    acrm: `${p}ACRM`,
    acrh: `${p}ACRH`,
    acrpn: `${p}ACRPN`,
    originBucket: `${p}OB`,
    match: `${p}MATCH`,
    ok: `${p}OK`,
    preflight: `${p}PREFLIGHT`,
    preflightOk: `${p}PF_OK`,
    preflightRefused: `${p}PF_REFUSED`,
    actualOk: `${p}ACTUAL_OK`,
    reflectHeaders: `${p}PF_OK_ACRH`,
    privateNetwork: `${p}PF_OK_ACRPN`,
    governed: `${p}IN`,
  };
}

// --- ap_expr ------------------------------------------------------------------------------------

const isSet = (env: string) => `-n reqenv('${env}')`;
const isUnset = (env: string) => `-z reqenv('${env}')`;
const METHOD_IS_OPTIONS = "%{REQUEST_METHOD} == 'OPTIONS'";
const all = (...conds: string[]) => apacheQuoted(conds.join(' && '));
const flag = (env: string) => `${env}=1`;

// --- the policy: each section below maps one part of the plan (src/plan/types.ts) ---------------

/**
 * `word =~ /^(.+)$/`: true for a non-empty value, and `$1` is the value. (ap_expr keeps the match
 * positions only for a regex with a group: with `/^.+$/`, `$0` would be a stale earlier match.)
 */
const nonEmpty = (word: string) => `${word} =~ /^(.+)$/`;
const requestHeader = (name: string) => `req_novary('${name}')`;

/** The env var each request header the plan reads is captured into. */
function capturedAs(header: ReflectedRequestHeader | OnlyIfHeader, env: ApacheEnvNames): string {
  switch (header) {
    case 'Origin':
      return env.origin;
    case 'Access-Control-Request-Method':
      return env.acrm;
    case 'Access-Control-Request-Headers':
      return env.acrh;
    case 'Access-Control-Request-Private-Network':
      return env.acrpn;
  }
}

type OnlyIfHeader = NonNullable<HeaderPlan['onlyIf']>['header'];

const reflected = (plan: PolicyPlan) => new Set(plan.headers.flatMap((h) => (h.value.kind === 'list' && h.value.reflect ? [h.value.reflect] : [])));
const conditions = (plan: PolicyPlan) => plan.headers.flatMap((h) => (h.onlyIf ? [h.onlyIf] : []));

function captures(plan: PolicyPlan, env: ApacheEnvNames): ApacheCapture[] {
  const capture = (header: ReflectedRequestHeader): ApacheCapture => ({
    comment: `${header} (when not empty)`,
    expr: apacheQuoted(nonEmpty(requestHeader(header))),
    assign: `${capturedAs(header, env)}=$1`,
  });
  // Origin and Access-Control-Request-Method tell the two stages apart: always captured.
  const out: ApacheCapture[] = [
    capture('Origin'),
    {
      // After an internal redirect (ErrorDocument) this runs again, on headers that a
      // `RequestHeader unset Origin` may have changed: keep what the original request carried.
      comment: 'after an internal redirect (ErrorDocument), the Origin the original request carried',
      expr: apacheQuoted(nonEmpty(`reqenv('REDIRECT_${env.origin}')`)),
      assign: `${env.origin}=$1`,
    },
    capture('Access-Control-Request-Method'),
  ];
  for (const header of reflected(plan)) if (header !== 'Access-Control-Request-Method') out.push(capture(header));
  for (const c of conditions(plan)) {
    out.push({ comment: `${c.header}: ${c.equals}`, expr: apacheQuoted(`${requestHeader(c.header)} == '${c.equals}'`), assign: flag(capturedAs(c.header, env)) });
  }
  return out;
}

/**
 * Text for a `# …` comment line. Apache continues a line that ends in a backslash, comments
 * included (the next directive would vanish into the comment), and a line cannot hold a control
 * character. Checked policies never produce either (regexes end in `$`), so one here is a bug.
 */
export function commentText(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text) || /\\\s*$/.test(text)) throw new Error(`apache: ${JSON.stringify(text)} cannot be a comment line`);
  return text;
}

/**
 * From this many exact origins on, they are bucketed by the first hex digit of their MD5 (ap_expr's
 * md5()): one directive computes the Origin's bucket, and each `-in` list first tests its bucket, a
 * string compare (~0.04 µs a directive on 2.4.71), so a request compares its Origin with one
 * bucket's origins (~1/16) instead of all. Measured (test/bench/cpu-apache.ts), 9,900 origins:
 * ~82 µs of CPU a request for the plain lists, ~25 µs bucketed.
 */
export const BUCKET_FROM = 1_000;

/**
 * From this many subdomain wildcards on (plan: OriginRegex.wildcard), they are looked up by key: one
 * regex per depth of their base names cuts the Origin into `scheme://*.<base>[:port]`, compared in
 * `-in` lists, instead of one regex per wildcard (~0.85 µs each on 2.4.71: 100 wildcards cost
 * ~87 µs of CPU a request, test/bench/cpu-apache.ts).
 */
export const WILDCARD_LOOKUP_FROM = 8;

/** `-in` lists of at most EXACT_ORIGINS_PER_DIRECTIVE items, each directive behind `source`. */
function inLists(source: string, items: readonly string[], env: ApacheEnvNames): ApacheExactList[] {
  const out: ApacheExactList[] = [];
  for (let i = 0; i < items.length; i += EXACT_ORIGINS_PER_DIRECTIVE) {
    const chunk = items.slice(i, i + EXACT_ORIGINS_PER_DIRECTIVE);
    out.push({ source, origins: chunk.map((o, j) => ({ item: `'${o}'${j < chunk.length - 1 ? ',' : ''}` })), assign: flag(env.match) });
  }
  return out;
}

/**
 * The wildcard lookup: for base names of `depth` labels, `$1://*.$2` is the Origin's key when it is
 * `scheme://` + one or more labels (the labels of SUBDOMAIN_LABELS in src/model/regex.ts) + `depth`
 * more labels + an optional port. The labels before the base are as the wildcard's regex allows;
 * the key then equals the plan's key exactly when that regex accepts the Origin.
 */
function wildcardKey(depth: number, env: ApacheEnvNames): ApacheCapture {
  const regex = `^(https?)://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+((?:[^.:/]+\\.){${depth - 1}}[^.:/]+(?::[0-9]+)?)$`;
  return {
    comment: `The Origin as a subdomain wildcard over its last ${depth} labels: scheme://*.<base>[:port]`,
    expr: apacheQuoted(`reqenv('${env.origin}') =~ ${apExprRegex(regex)}`),
    assign: `${env.prefix}WK${depth}=$1://*.$2`,
  };
}

function originMatchers(plan: PolicyPlan, env: ApacheEnvNames): { lookupKeys: ApacheCapture[]; exactLists: ApacheExactList[]; regexMatches: ApacheRegexMatch[] } {
  if (plan.origins.kind === 'any') return { lookupKeys: [], exactLists: [], regexMatches: [] };
  const match = (written: string, regex: string): ApacheRegexMatch => ({
    written: commentText(written),
    expr: apacheQuoted(`reqenv('${env.origin}') =~ ${apExprRegex(regex)}`),
    assign: flag(env.match),
  });
  const plain = plan.origins.exact.filter((o) => PLAIN_ORIGIN.test(o));
  // An exact origin with other characters than a single-quoted ap_expr string holds as they are.
  const other = plan.origins.exact.filter((o) => !PLAIN_ORIGIN.test(o)).map((o) => match(o, `^${escapeRegex(o)}$`));
  const bucketed = plain.length >= BUCKET_FROM;
  const buckets = new Map<string, string[]>();
  for (const o of plain) {
    const key = bucketed ? createHash('md5').update(o).digest('hex')[0]! : '';
    const bucket = buckets.get(key);
    if (bucket) bucket.push(o);
    else buckets.set(key, [o]);
  }
  const lookupKeys: ApacheCapture[] = [];
  if (bucketed) lookupKeys.push({ comment: 'The Origin\'s bucket: the first hex digit of its MD5.', expr: apacheQuoted(`md5(reqenv('${env.origin}')) =~ /^(.)/`), assign: `${env.originBucket}=$1` });
  const exactLists = [...buckets.keys()].sort().flatMap((key) => inLists(`${bucketed ? `reqenv('${env.originBucket}') == '${key}' && ` : ''}reqenv('${env.origin}')`, buckets.get(key)!, env));
  const wildcards = plan.origins.regexes.flatMap((r) =>
    r.wildcard ? [{ written: r.written, key: `${r.wildcard.scheme}://*.${r.wildcard.suffix}${r.wildcard.port === null ? '' : `:${r.wildcard.port}`}`, depth: r.wildcard.suffix.split('.').length }] : [],
  );
  const looked = wildcards.length >= WILDCARD_LOOKUP_FROM && wildcards.every((w) => PLAIN_ORIGIN.test(w.key.replace('*', '')));
  if (looked) {
    for (const depth of [...new Set(wildcards.map((w) => w.depth))].sort((a, b) => a - b)) {
      lookupKeys.push(wildcardKey(depth, env));
      exactLists.push(...inLists(`reqenv('${env.prefix}WK${depth}')`, wildcards.filter((w) => w.depth === depth).map((w) => w.key), env));
    }
  }
  const byKey = new Set(looked ? wildcards.map((w) => w.written) : []);
  const regexes = plan.origins.regexes.filter((r) => !byKey.has(r.written)).map((r) => match(r.written, r.regex));
  return { lookupKeys, exactLists, regexMatches: [...other, ...regexes] };
}

/** The env flag under which a header line of `stage` is added ('both': one line for both stages). */
function stageFlag(stage: Stage | 'both', env: ApacheEnvNames): string {
  return stage === 'both' ? env.ok : stage === 'preflight' ? env.preflightOk : env.actualOk;
}

/** One header line to write: a plan entry, or two equal ones (preflight and actual) as one. */
interface HeaderLine {
  plan: HeaderPlan;
  stage: Stage | 'both';
}

function headerLines(plan: PolicyPlan): HeaderLine[] {
  const same = (a: HeaderPlan, b: HeaderPlan) => a.name === b.name && JSON.stringify([a.value, a.onlyIf]) === JSON.stringify([b.value, b.onlyIf]);
  const out: HeaderLine[] = [];
  for (const h of plan.headers) {
    const twin = out.find((l) => l.stage !== 'both' && l.stage !== h.on && same(l.plan, h));
    if (twin) twin.stage = 'both';
    else out.push({ plan: h, stage: h.on });
  }
  return out;
}

/**
 * The flag under which a list's reflected request header is appended: the stage's flag and the
 * captured value being non-empty. On a preflight, Access-Control-Request-Method is never empty
 * (it is what makes the request one), so the stage's flag alone.
 */
function reflectFlag(line: HeaderLine, header: ReflectedRequestHeader, env: ApacheEnvNames): string {
  if (line.stage === 'preflight' && header === 'Access-Control-Request-Method') return stageFlag(line.stage, env);
  return `${stageFlag(line.stage, env)}_${capturedAs(header, env).slice(env.prefix.length)}`;
}

/** The flag of a header line with an `onlyIf`: the stage's flag and the condition captured. */
const onlyIfFlag = (line: HeaderLine, env: ApacheEnvNames) => `${stageFlag(line.stage, env)}_${capturedAs(line.plan.onlyIf!.header, env).slice(env.prefix.length)}`;

function decisions(plan: PolicyPlan, lines: HeaderLine[], env: ApacheEnvNames): ApacheDecision[] {
  const out: ApacheDecision[] = [
    plan.origins.kind === 'any'
      ? { comment: 'Allowed: any non-empty Origin (origins: "*").', expr: all(isSet(env.origin)), assign: flag(env.ok) }
      : { comment: 'Allowed: a non-empty Origin that an entry above accepts.', expr: all(isSet(env.origin), isSet(env.match)), assign: flag(env.ok) },
    {
      comment: 'Preflight: OPTIONS + Origin + Access-Control-Request-Method (anything else is an actual request).',
      expr: all(METHOD_IS_OPTIONS, isSet(env.origin), isSet(env.acrm)),
      assign: flag(env.preflight),
    },
    { comment: `Allowed preflight: answered ${plan.answers.allowed} below.`, expr: all(isSet(env.preflight), isSet(env.ok)), assign: flag(env.preflightOk) },
  ];
  if (plan.answers.refused !== null) {
    out.push({ comment: `Refused preflight: answered ${plan.answers.refused} below.`, expr: all(isSet(env.preflight), isUnset(env.ok)), assign: flag(env.preflightRefused) });
  }
  if (lines.some((l) => l.stage === 'actual')) {
    out.push({ comment: 'Allowed actual request: forwarded.', expr: all(isUnset(env.preflight), isSet(env.ok)), assign: flag(env.actualOk) });
  }
  const seen = new Set<string>();
  const derived = (name: string, comment: string, conds: string[]) => {
    if (seen.has(name) || name === stageFlag('preflight', env)) return;
    seen.add(name);
    out.push({ comment, expr: all(...conds), assign: flag(name) });
  };
  for (const l of lines) {
    const v = l.plan.value;
    if (v.kind === 'list' && v.reflect) {
      derived(reflectFlag(l, v.reflect, env), `${l.plan.name}: ${v.reflect} to reflect.`, [isSet(stageFlag(l.stage, env)), isSet(capturedAs(v.reflect, env))]);
    }
    if (l.plan.onlyIf) {
      derived(onlyIfFlag(l, env), `${l.plan.name}: only with ${l.plan.onlyIf.header}: ${l.plan.onlyIf.equals}.`, [isSet(stageFlag(l.stage, env)), isSet(capturedAs(l.plan.onlyIf.header, env))]);
    }
  }
  return out;
}

function rewrites(plan: PolicyPlan, env: ApacheEnvNames, scoped: boolean): ApacheRewrite[] {
  const test = (flagEnv: string) => `%{ENV:${flagEnv}}`;
  const conds = scoped ? [`${test(env.governed)} =1`] : [];
  const out: ApacheRewrite[] = [
    { comment: `Allowed preflight: ${plan.answers.allowed}, no body, never proxied.`, conds, test: test(env.preflightOk), flags: `[R=${plan.answers.allowed},L]` },
  ];
  if (plan.answers.refused !== null) {
    // [F] is mod_rewrite's 403; any other status would be [R=<status>,L].
    const flags = plan.answers.refused === 403 ? '[F]' : `[R=${plan.answers.refused},L]`;
    out.push({ comment: `Refused preflight: ${plan.answers.refused}, never proxied.`, conds, test: test(env.preflightRefused), flags });
  }
  return out;
}

/** For each of the policy's prefixes, the longer prefixes of other policies that win over it. */
function policyRoutes(all: readonly Route[], policy: string): PrefixRoute[] | null {
  if (all.every((r) => r.prefix === '/')) return null;
  return all.flatMap((r, i) => {
    if (r.policy !== policy) return [];
    const prefix = checkedPrefix(r.prefix, 'apache');
    // Routes are longest first: the earlier routes of other policies under this prefix take it.
    const excluded = all.slice(0, i).filter((o) => o.policy !== policy && o.prefix.startsWith(prefix) && o.prefix !== prefix).map((o) => checkedPrefix(o.prefix, 'apache'));
    return [{ prefix, excluded: [...new Set(excluded)] }];
  });
}

/**
 * Contract §2a on the path Apache routes on: mod_rewrite in a <VirtualHost> runs at translate_name
 * and sees the decoded path with dot-segments removed and slashes merged (SetEnvIf, at
 * post_read_request, would see the raw request target). An encoded slash never gets here: Apache
 * answers 404 first (AllowEncodedSlashes Off). After an internal redirect (ErrorDocument), the
 * decision made for the original request holds (REDIRECT_STATUS is set, and mod_rewrite would
 * otherwise judge the error document's path).
 */
function pathRules(routes: PrefixRoute[], env: ApacheEnvNames): ApachePathRule[] {
  const setIn = `[E=${env.governed}:1]`;
  const out: ApachePathRule[] = [
    {
      comment: 'after an internal redirect (ErrorDocument), the decision made for the original request',
      conds: [`%{ENV:REDIRECT_${env.governed}} =1`],
      rule: `^ - ${setIn}`,
    },
  ];
  for (const r of routes) {
    out.push({
      comment: commentText(`${r.prefix}${r.excluded.length > 0 ? ` (except ${r.excluded.join(', ')}: another policy's)` : ''}`),
      conds: ['%{ENV:REDIRECT_STATUS} ^$', ...r.excluded.map((e) => `%{REQUEST_URI} ${apacheQuoted(`!${prefixRegex(e)}`)}`)],
      rule: `${apacheQuoted(prefixRegex(r.prefix))} - ${setIn}`,
    });
  }
  return out;
}

/** `env=FLAG`, or (path-scoped) the flag and the policy's IN flag as one ap_expr condition. */
function headerCondition(flagEnv: string, env: ApacheEnvNames, scoped: boolean): string {
  return scoped ? apacheQuoted(`expr=${isSet(flagEnv)} && ${isSet(env.governed)}`) : `env=${flagEnv}`;
}

/**
 * The mod_headers lines of one plan entry. A list: the listed names as one literal, then the
 * reflected request header as one more element: `append` joins with ", " and creates the header
 * when it is absent, which is the plan's list value exactly ("listed, requested", "requested"
 * alone, or nothing).
 */
function headerLinesOf(line: HeaderLine, env: ApacheEnvNames): (Omit<ApacheHeader, 'condition'> & { flag: string })[] {
  const { name, value, onlyIf } = line.plan;
  const when = onlyIf ? onlyIfFlag(line, env) : stageFlag(line.stage, env);
  switch (value.kind) {
    case 'literal':
      return [{ action: 'set', name, value: headerLiteral(value.text), flag: when }];
    case 'origin':
      return [{ action: 'set', name, value: apacheQuoted(`%{${env.origin}}e`), flag: when }];
    case 'list': {
      const out: (Omit<ApacheHeader, 'condition'> & { flag: string })[] = [];
      if (value.listed.length > 0) out.push({ action: 'set', name, value: headerLiteral(value.listed.join(', ')), flag: when });
      if (value.reflect) {
        out.push({ action: value.listed.length > 0 ? 'append' : 'set', name, value: apacheQuoted(`%{${capturedAs(value.reflect, env)}}e`), flag: reflectFlag(line, value.reflect, env) });
      }
      return out;
    }
  }
}

function headers(lines: HeaderLine[], env: ApacheEnvNames, scoped: boolean): ApacheHeader[] {
  return lines.flatMap((l) => headerLinesOf(l, env)).map(({ flag: f, ...h }) => ({ ...h, condition: headerCondition(f, env, scoped) }));
}

// --- proxy mode (docs/contract.md §6) ---------------------------------------------------------------------

/** The local URL that mod_proxy's own failures are redirected to, then answered 502 by mod_rewrite. */
export const PROXY_FAILURE_PATH = '/cors-gen-proxy-error';

/**
 * Characters of an upstream base path that ProxyPassMatch passes on as they are: mod_proxy
 * re-encodes the substituted URL (a `%` would become `%25`), and mod_headers' edit replacement
 * reads `&` and `$n`. The checks refuse the rest; one here is a bug.
 */
const SAFE_BASE_PATH = /^\/[A-Za-z0-9._~!+,=:@/-]*$/;

function checkedBasePath(basePath: string): string {
  if (!SAFE_BASE_PATH.test(basePath)) throw new Error(`apache: the upstream path ${JSON.stringify(basePath)} holds characters mod_proxy would re-encode`);
  return basePath;
}

/** An ap_pregsub replacement that yields `text`: `\`, `&` and `$` are special there. */
const pregsubLiteral = (text: string) => text.replace(/[\\&$]/g, '\\$&');

/** The regex of the paths one route governs: its prefix, minus the longer prefixes of other policies. */
function routeRegex(r: PrefixRoute): string {
  const rest = r.excluded.map((e) => escapeRegex(e.slice(r.prefix.length)));
  return `${prefixRegex(r.prefix)}${rest.length > 0 ? `(?!${rest.join('|')})` : ''}`;
}

/**
 * mod_proxy reads <Proxy> sections for the URL it forwards to (ProxyPassMatch), so the TLS settings,
 * the Host and the failure answer apply to this upstream only. Failures: mod_proxy answers 503 when
 * it cannot connect and 500 when the TLS handshake fails (2.4.71); an ErrorDocument sends either to
 * PROXY_FAILURE_PATH, which mod_rewrite answers with the plan's status, through mod_headers' `always`
 * table like every other error: with the CORS headers of an allowed actual request.
 */
/** The trust store when the policy names no `ca` (docs/contract.md §6): Debian's and Ubuntu's bundle file. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function proxySection(proxy: ProxyPlan): ApacheLine[] {
  const out: ApacheLine[] = [
    { comment: 'Host is the upstream\'s host[:port], and so is SNI (ProxyPreserveHost On would send the client\'s).', line: 'ProxyPreserveHost Off' },
  ];
  if (proxy.scheme === 'https') {
    out.push(
      { comment: `TLS to the upstream, its certificate verified (name ${commentText(proxy.host)}, chain, dates) against the CA file.`, line: 'SSLProxyEngine on' },
      { comment: '', line: 'SSLProxyVerify require' },
      { comment: '', line: 'SSLProxyVerifyDepth 10' },
      { comment: '', line: 'SSLProxyCheckPeerName on' },
      { comment: '', line: 'SSLProxyCheckPeerExpire on' },
      {
        comment: proxy.ca !== null ? 'The policy\'s ca.' : 'The system trust store (Debian, Ubuntu); change this line for another distribution\'s bundle.',
        line: `SSLProxyCACertificateFile ${apacheQuoted(proxy.ca ?? SYSTEM_CA_BUNDLE)}`,
      },
    );
  }
  out.push(
    { comment: `Cannot connect (503) or the certificate does not verify (500): answered ${proxy.unreachable} below.`, line: `ErrorDocument 500 ${PROXY_FAILURE_PATH}` },
    { comment: '', line: `ErrorDocument 503 ${PROXY_FAILURE_PATH}` },
  );
  return out;
}

function proxyView(proxy: ProxyPlan, routes: PrefixRoute[], env: ApacheEnvNames, scoped: boolean): ApacheProxyView {
  const base = `${proxy.origin}${checkedBasePath(proxy.basePath)}`;
  const upstream = base;
  const governed = scoped ? ` env=${env.governed}` : '';
  // With several prefixes, the one the request came through.
  const through = (r: PrefixRoute) => (routes.length > 1 ? ` ${apacheQuoted(`expr=%{REQUEST_URI} =~ ${apExprRegex(routeRegex(r))}`)}` : governed);
  const cookiePath = (r: PrefixRoute): ApacheLine | null => {
    if (r.prefix === proxy.basePath) return null;
    const edit = `Header edit* Set-Cookie ${apacheQuoted(`(?i)(;\\s*)path=${escapeRegex(proxy.basePath)}`)} ${apacheQuoted(`$1Path=${pregsubLiteral(r.prefix)}`)}`;
    return { comment: commentText(`Set-Cookie Path under ${proxy.basePath} → under ${r.prefix}`), line: `${edit}${through(r)}` };
  };
  const locationPath = (r: PrefixRoute): ApacheLine | null => {
    if (r.prefix === proxy.basePath) return null;
    const edit = `Header edit Location ${apacheQuoted(`^${escapeRegex(proxy.basePath)}`)} ${apacheQuoted(pregsubLiteral(r.prefix))}`;
    return { comment: commentText(`Location ${proxy.basePath}… (a path alone) → ${r.prefix}…`), line: `${edit}${through(r)}` };
  };
  return {
    upstream: commentText(upstream),
    section: apacheQuoted(base),
    sectionLines: proxySection(proxy),
    // Path-scoped, several files' rules run in one mod_rewrite pass: only the file whose policy
    // governed the failed request answers its error document, or an earlier file's [L] would end
    // the pass before the governing file's rules mark the request as its own (and its CORS headers
    // would be missing from the 502).
    failureConds: [`%{ENV:REDIRECT_STATUS} ^50[03]$`, ...(scoped ? [`%{ENV:REDIRECT_${env.governed}} =1`] : [])],
    failureRule: `^${escapeRegex(PROXY_FAILURE_PATH)}$ - [R=${proxy.unreachable},L]`,
    passes: routes.map((r) => ({
      comment: commentText(`${r.prefix}…${r.excluded.length > 0 ? ` (except ${r.excluded.join(', ')})` : ''} → ${base}…`),
      // retry=0: a failed connection does not disable the upstream for the next 60 s.
      // Slashes after a prefix without one are dropped (`/v2/x` under `/v2` is `x`); what is left may
      // not start with a dot-segment (`/v2..`), which would climb out of the base path.
      line: `ProxyPassMatch ${apacheQuoted(`${routeRegex(r)}(?!/*\\.\\.?(?:/|$))/*(.*)$`)} ${apacheQuoted(`${base}$1`)} retry=0`,
    })),
    reverses: routes.map((r) => `ProxyPassReverse ${apacheQuoted(r.prefix)} ${apacheQuoted(base)}`),
    locationEdits: routes.flatMap((r) => locationPath(r) ?? []),
    cookieEdits: [
      { comment: 'Set-Cookie Domain emptied (RFC 6265 §5.2.3: ignored): the cookie belongs to this host.', line: `Header edit* Set-Cookie "(?i)(;\\s*)domain=[^;]*" "$1Domain="${governed}` },
      ...routes.flatMap((r) => cookiePath(r) ?? []),
    ],
    requestUnsets: proxy.dropRequestHeaders.map((h, i) => ({ comment: i === 0 ? 'Without credentials, the browser\'s credentials are not forwarded.' : '', line: `RequestHeader unset ${h}${governed}` })),
  };
}

export function buildPolicyView(plan: PolicyPlan, routes: PrefixRoute[] | null = null): ApachePolicyView {
  const env = envNames(plan.name);
  const scoped = routes !== null;
  const lines = headerLines(plan);
  return {
    name: plan.name,
    file: `${plan.name}.conf`,
    envPrefix: envPrefix(plan.name),
    captures: captures(plan, env),
    anyOrigin: plan.origins.kind === 'any',
    ...originMatchers(plan, env),
    decisions: decisions(plan, lines, env),
    rewrites: rewrites(plan, env, scoped),
    removed: [...plan.strip],
    vary: plan.vary,
    headers: headers(lines, env, scoped),
    pathScoped: scoped,
    pathRules: routes ? pathRules(routes, env) : [],
    pathCondition: scoped ? ` env=${env.governed}` : '',
    proxy: plan.proxy ? proxyView(plan.proxy, routes ?? [{ prefix: '/', excluded: [] }], env, scoped) : null,
  };
}

export function apacheViewOf(plan: ResponsePlan): ApacheView {
  return { policies: plan.policies.map((p) => buildPolicyView(p, plan.pathScoped ? policyRoutes(plan.routes, p.name) : null)) };
}

export function buildApacheView(set: PolicySet): ApacheView {
  return apacheViewOf(buildPlan(set));
}
