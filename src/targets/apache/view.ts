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
//                      Origin + ACRM), PF_OK, PF_REFUSED, ACTUAL_OK, REFLECT_ACRH, PNA.
//   4. RewriteRule     PF_OK → [R=204,L]; PF_REFUSED → [F] (403). Never proxied.
//   5. Header          unset the 7 CORS headers in both tables (onsuccess = proxied headers_out,
//                      always = err_headers_out), merge Vary: Origin, then `Header always set|append`
//                      each CORS header under one env flag (always: also on 204/403/4xx/5xx).
//
// Why exact origins are an ap_expr `-in` list rather than one regex per origin: Apache has no hash
// lookup usable from one included file (RewriteMap needs a second file). Measured on 2.4.71 (one
// static file, keep-alive, one client), 10,000 exact origins cost ~0.07 ms a request as `-in`
// lists (0.14 → 0.21 ms), against ~0.5 ms as 10,000 SetEnvIf regexes and ~0.2 ms as regex
// alternations of 50. Exact origins are plain host characters, so the single-quoted ap_expr strings
// need no escaping; an origin with any other character falls back to its escaped regex.
import { doubleQuoted } from '../quoting.js';
import { matcherRegex } from '../../model/regex.js';
import { CORS_RESPONSE_HEADERS, type ListHeader, type OriginMatcher, type Policy, type PolicySet } from '../../model/types.js';
import { prefixRegex, prefixRoutes, type PrefixRoute } from '../paths.js';

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
  /** The ap_expr word compared with the list: `reqenv('CORSGEN_X_ORIGIN')`. */
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
  exactLists: ApacheExactList[];
  regexMatches: ApacheRegexMatch[];
  decisions: ApacheDecision[];
  rewrites: ApacheRewrite[];
  /** Headers removed from the application's response (both tables). */
  removed: string[];
  /** The Vary token merged into every response. */
  vary: string;
  headers: ApacheHeader[];
  /** Whether the file names paths: then the policy governs only some paths (contract §2a). */
  pathScoped: boolean;
  /** mod_rewrite rules that set the policy's IN flag where it governs the path. */
  pathRules: ApachePathRule[];
  /** ` env=<IN flag>` when path-scoped, else empty: the condition of the unset and Vary lines. */
  pathCondition: string;
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
  /** The request's Origin (non-empty). */
  origin: string;
  /** The request's Access-Control-Request-Method (non-empty). */
  acrm: string;
  /** The request's Access-Control-Request-Headers (non-empty). */
  acrh: string;
  /** Access-Control-Request-Private-Network is exactly `true`. */
  acrpn: string;
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
    origin: `${p}ORIGIN`,
    acrm: `${p}ACRM`,
    acrh: `${p}ACRH`,
    acrpn: `${p}ACRPN`,
    match: `${p}MATCH`,
    ok: `${p}OK`,
    preflight: `${p}PREFLIGHT`,
    preflightOk: `${p}PF_OK`,
    preflightRefused: `${p}PF_REFUSED`,
    actualOk: `${p}ACTUAL_OK`,
    reflectHeaders: `${p}REFLECT_ACRH`,
    privateNetwork: `${p}PNA`,
    governed: `${p}IN`,
  };
}

// --- ap_expr ------------------------------------------------------------------------------------

const isSet = (env: string) => `-n reqenv('${env}')`;
const isUnset = (env: string) => `-z reqenv('${env}')`;
const METHOD_IS_OPTIONS = "%{REQUEST_METHOD} == 'OPTIONS'";
const all = (...conds: string[]) => apacheQuoted(conds.join(' && '));
const flag = (env: string) => `${env}=1`;

// --- the policy ---------------------------------------------------------------------------------

/**
 * `word =~ /^(.+)$/`: true for a non-empty value, and `$1` is the value. (ap_expr keeps the match
 * positions only for a regex with a group: with `/^.+$/`, `$0` would be a stale earlier match.)
 */
const nonEmpty = (word: string) => `${word} =~ /^(.+)$/`;
const requestHeader = (name: string) => `req_novary('${name}')`;

function captures(policy: Policy, env: ApacheEnvNames): ApacheCapture[] {
  const out: ApacheCapture[] = [
    { comment: 'Origin (when not empty)', expr: apacheQuoted(nonEmpty(requestHeader('Origin'))), assign: `${env.origin}=$1` },
    {
      // After an internal redirect (ErrorDocument) this runs again, on headers that a
      // `RequestHeader unset Origin` may have changed: keep what the original request carried.
      comment: 'after an internal redirect (ErrorDocument), the Origin the original request carried',
      expr: apacheQuoted(nonEmpty(`reqenv('REDIRECT_${env.origin}')`)),
      assign: `${env.origin}=$1`,
    },
    { comment: 'Access-Control-Request-Method (when not empty)', expr: apacheQuoted(nonEmpty(requestHeader('Access-Control-Request-Method'))), assign: `${env.acrm}=$1` },
  ];
  if (policy.allowHeaders.reflectRequest) {
    out.push({ comment: 'Access-Control-Request-Headers (when not empty)', expr: apacheQuoted(nonEmpty(requestHeader('Access-Control-Request-Headers'))), assign: `${env.acrh}=$1` });
  }
  if (policy.privateNetwork) {
    out.push({
      comment: 'Access-Control-Request-Private-Network: true',
      expr: apacheQuoted(`${requestHeader('Access-Control-Request-Private-Network')} == 'true'`),
      assign: flag(env.acrpn),
    });
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

function matcherWritten(m: OriginMatcher): string {
  switch (m.kind) {
    case 'exact':
      return commentText(m.origin);
    case 'pattern':
      return commentText(m.written);
    case 'regex':
      return commentText(`regex ${m.source}`);
  }
}

function originMatchers(policy: Policy, env: ApacheEnvNames): { exactLists: ApacheExactList[]; regexMatches: ApacheRegexMatch[] } {
  if (policy.origins.kind === 'any') return { exactLists: [], regexMatches: [] };
  const exact: string[] = [];
  const regexMatches: ApacheRegexMatch[] = [];
  for (const m of policy.origins.matchers) {
    if (m.kind === 'exact' && PLAIN_ORIGIN.test(m.origin)) exact.push(m.origin);
    else regexMatches.push({ written: matcherWritten(m), expr: apacheQuoted(`reqenv('${env.origin}') =~ ${apExprRegex(matcherRegex(m))}`), assign: flag(env.match) });
  }
  const exactLists: ApacheExactList[] = [];
  for (let i = 0; i < exact.length; i += EXACT_ORIGINS_PER_DIRECTIVE) {
    const chunk = exact.slice(i, i + EXACT_ORIGINS_PER_DIRECTIVE);
    exactLists.push({
      source: `reqenv('${env.origin}')`,
      origins: chunk.map((o, j) => ({ item: `'${o}'${j < chunk.length - 1 ? ',' : ''}` })),
      assign: flag(env.match),
    });
  }
  return { exactLists, regexMatches };
}

function decisions(policy: Policy, env: ApacheEnvNames): ApacheDecision[] {
  const any = policy.origins.kind === 'any';
  const out: ApacheDecision[] = [
    any
      ? { comment: 'Allowed: any non-empty Origin (origins: "*").', expr: all(isSet(env.origin)), assign: flag(env.ok) }
      : { comment: 'Allowed: a non-empty Origin that an entry above accepts.', expr: all(isSet(env.origin), isSet(env.match)), assign: flag(env.ok) },
    {
      comment: 'Preflight: OPTIONS + Origin + Access-Control-Request-Method (anything else is an actual request).',
      expr: all(METHOD_IS_OPTIONS, isSet(env.origin), isSet(env.acrm)),
      assign: flag(env.preflight),
    },
    { comment: 'Allowed preflight: answered 204 below.', expr: all(isSet(env.preflight), isSet(env.ok)), assign: flag(env.preflightOk) },
  ];
  // With origins "*" every preflight has a non-empty Origin, so none is refused.
  if (!any) {
    out.push({ comment: 'Refused preflight: answered 403 below.', expr: all(isSet(env.preflight), isUnset(env.ok)), assign: flag(env.preflightRefused) });
  }
  if (policy.exposeHeaders.length > 0) {
    out.push({ comment: 'Allowed actual request: forwarded, gets Access-Control-Expose-Headers.', expr: all(isUnset(env.preflight), isSet(env.ok)), assign: flag(env.actualOk) });
  }
  if (policy.allowHeaders.reflectRequest) {
    out.push({
      comment: 'Allowed preflight with Access-Control-Request-Headers to reflect ("*" with credentials).',
      expr: all(isSet(env.preflightOk), isSet(env.acrh)),
      assign: flag(env.reflectHeaders),
    });
  }
  if (policy.privateNetwork) {
    out.push({
      comment: 'Allowed preflight with Access-Control-Request-Private-Network: true.',
      expr: all(isSet(env.preflightOk), isSet(env.acrpn)),
      assign: flag(env.privateNetwork),
    });
  }
  return out;
}

function rewrites(policy: Policy, env: ApacheEnvNames, scoped: boolean): ApacheRewrite[] {
  const test = (flagEnv: string) => `%{ENV:${flagEnv}}`;
  const conds = scoped ? [`${test(env.governed)} =1`] : [];
  const out: ApacheRewrite[] = [{ comment: 'Allowed preflight: 204, no body, never proxied.', conds, test: test(env.preflightOk), flags: '[R=204,L]' }];
  if (policy.origins.kind !== 'any') out.push({ comment: 'Refused preflight: 403, never proxied.', conds, test: test(env.preflightRefused), flags: '[F]' });
  return out;
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

/**
 * The lines of a list header: the listed names as a literal, then (reflecting) the request's own
 * value as one more element. `append` joins with ", " and creates the header when it is absent,
 * which is listHeaderValue exactly: "listed, requested", "requested" alone, or nothing.
 */
function listHeaderLines(name: string, h: ListHeader, env: string, requestEnv: string, reflectWhen: string): RawHeader[] {
  const out: RawHeader[] = [];
  if (h.listed.length > 0) out.push({ action: 'set', name, value: headerLiteral(h.listed.join(', ')), env });
  if (h.reflectRequest) out.push({ action: h.listed.length > 0 ? 'append' : 'set', name, value: apacheQuoted(`%{${requestEnv}}e`), env: reflectWhen });
  return out;
}

type RawHeader = Omit<ApacheHeader, 'condition'> & { env: string };

/** `env=FLAG`, or (path-scoped) the flag and the policy's IN flag as one ap_expr condition. */
function headerCondition(flagEnv: string, env: ApacheEnvNames, scoped: boolean): string {
  return scoped ? apacheQuoted(`expr=${isSet(flagEnv)} && ${isSet(env.governed)}`) : `env=${flagEnv}`;
}

function headers(policy: Policy, env: ApacheEnvNames, scoped: boolean): ApacheHeader[] {
  return rawHeaders(policy, env).map(({ env: flagEnv, ...h }) => ({ ...h, condition: headerCondition(flagEnv, env, scoped) }));
}

function rawHeaders(policy: Policy, env: ApacheEnvNames): RawHeader[] {
  const out: RawHeader[] = [];
  const wildcard = policy.origins.kind === 'any' && !policy.credentials;
  out.push({ action: 'set', name: 'Access-Control-Allow-Origin', value: wildcard ? headerLiteral('*') : apacheQuoted(`%{${env.origin}}e`), env: env.ok });
  if (policy.credentials) out.push({ action: 'set', name: 'Access-Control-Allow-Credentials', value: headerLiteral('true'), env: env.ok });
  if (policy.exposeHeaders.length > 0) {
    out.push({ action: 'set', name: 'Access-Control-Expose-Headers', value: headerLiteral(policy.exposeHeaders.join(', ')), env: env.actualOk });
  }
  // A preflight always has a non-empty Access-Control-Request-Method: reflecting it needs no flag of its own.
  out.push(...listHeaderLines('Access-Control-Allow-Methods', policy.allowMethods, env.preflightOk, env.acrm, env.preflightOk));
  out.push(...listHeaderLines('Access-Control-Allow-Headers', policy.allowHeaders, env.preflightOk, env.acrh, env.reflectHeaders));
  if (policy.maxAge !== null) out.push({ action: 'set', name: 'Access-Control-Max-Age', value: headerLiteral(String(policy.maxAge)), env: env.preflightOk });
  if (policy.privateNetwork) out.push({ action: 'set', name: 'Access-Control-Allow-Private-Network', value: headerLiteral('true'), env: env.privateNetwork });
  return out;
}

export function buildPolicyView(policy: Policy, routes: PrefixRoute[] | null = null): ApachePolicyView {
  const env = envNames(policy.name);
  const scoped = routes !== null;
  return {
    name: policy.name,
    file: `${policy.name}.conf`,
    envPrefix: envPrefix(policy.name),
    captures: captures(policy, env),
    anyOrigin: policy.origins.kind === 'any',
    ...originMatchers(policy, env),
    decisions: decisions(policy, env),
    rewrites: rewrites(policy, env, scoped),
    removed: [...CORS_RESPONSE_HEADERS],
    vary: 'Origin',
    headers: headers(policy, env, scoped),
    pathScoped: scoped,
    pathRules: routes ? pathRules(routes, env) : [],
    pathCondition: scoped ? ` env=${env.governed}` : '',
  };
}

export function buildApacheView(set: PolicySet): ApacheView {
  return { policies: set.policies.map((p) => buildPolicyView(p, prefixRoutes(set, p, 'apache', false))) };
}
