// The nginx view model: the response plan (src/plan) mapped onto nginx's mechanisms, as data the
// templates only lay out (templates/nginx/*.hbs). Every CORS decision is the plan's; this file only
// chooses maps, variables and directives for them.
//
// Cost (npm run bench, CPU per request): every lookup is a hash (exact origins, subdomain wildcards
// through `map … hostnames`, the request's stage); what remains over a server without CORS (~5–8%
// on a shared 2-core machine) is nginx evaluating the map variables of the add_header lines, which
// a value that depends on the request cannot avoid (constant add_header lines cost ~0–4%).
//
// Shape of the generated configuration:
//   http.conf   shared maps, by hash on $request_method, then on Access-Control-Request-Method:
//                 $cors_allowed = preflight | actual      $cors_refused = refused | ""
//               per policy P (variables $cors_<P>_*, `-` written `_`):
//                 map $http_origin → $cors_P_state: $cors_allowed for an allowed Origin, $cors_refused
//                   for another, "" without Origin (exact origins hashed; a last regex splits the
//                   Origin for $cors_P_wild, a `hostnames` map of the subdomain wildcards)
//                 with paths: $cors_P_vary on $uri (the plan's routes), $cors_P_state gated by it
//                 one map per response header of the plan: $cors_P_state → value or ""
//   P.conf      if ($cors_P_state = preflight) { return 204; }   if (… = refused) { return 403; }
//               add_header <CORS header> $cors_P_<h> always;     (an empty value adds no header)
//               add_header Vary Origin always;  proxy_hide_header <each CORS header>;
//               proxy mode: a location per path that forwards to the upstream (proxyDirectives)
import { doubleQuoted } from '../quoting.js';
import type { CorsResponseHeader } from '../../model/types.js';
import {
  listText,
  type HeaderPlan,
  type HeaderValue,
  type ListValue,
  type Mount,
  type ProxyPlan,
  type OriginRegex,
  type PolicyPlan,
  type ResponsePlan,
  type Route,
  type Stage,
  type SubdomainWildcard,
} from '../../plan/index.js';
import { chooseMapHashSettings, NGINX_MAP_HASH_DEFAULTS, type ExactKeys } from './hash.js';
import { checkedPrefix, prefixRegex } from '../paths.js';

/**
 * nginx 1.22 fails to build its variables hash ("could not build variables_hash") once a variable
 * name reaches 47 bytes with the default variables_hash_bucket_size of 64.
 */
export const MAX_VARIABLE_NAME = 46;

export const REQUEST_ORIGIN = '$http_origin';
export const REQUEST_METHOD_HEADER = '$http_access_control_request_method';
export const REQUEST_HEADERS_HEADER = '$http_access_control_request_headers';
export const REQUEST_PNA_HEADER = '$http_access_control_request_private_network';

export interface NginxMapEntry {
  /** Quoted key, padded so the values line up; `default` for the default entry. */
  key: string;
  /** Quoted value, or one `$variable`. */
  value: string;
}

export interface NginxMap {
  /** Comment lines above the map (without `# `). */
  comment: string[];
  /** The map's source: one variable or a quoted string of variables. */
  source: string;
  /** The resulting variable, with `$`. */
  variable: string;
  /** `hostnames`: keys `*.suffix` match the source's labels by hash. */
  hostnames?: true;
  entries: NginxMapEntry[];
}

export interface NginxHeaderLine {
  name: string;
  /** A `$variable` (empty when the header must not be sent) or a constant token. */
  value: string;
}

export interface NginxReturn {
  variable: string;
  state: string;
  status: number;
}

export interface NginxPolicyView {
  name: string;
  /** `<name>.conf` */
  file: string;
  maps: NginxMap[];
  /** The requests nginx answers itself, in order: `if ($state = <state>) { return <status>; }`. */
  returns: NginxReturn[];
  addHeaders: NginxHeaderLine[];
  hideHeaders: string[];
  /** Whether the file names paths: then the policy governs only `governed` (docs/contract.md §2a). */
  pathScoped: boolean;
  /** Its prefixes, each with the longer prefixes of other policies that are not its own. */
  governed: { prefix: string; except: string }[];
  /** Proxy mode (docs/contract.md §6): the location blocks that forward to the upstream, or null. */
  proxy: NginxProxyView | null;
}

export interface NginxLocation {
  /** `location` arguments: `/` or `^~ <prefix>`. */
  match: string;
  /** Directive lines, without the `;`-terminated indentation. */
  directives: string[];
}

export interface NginxProxyView {
  /** The upstream URL, for the comment. */
  url: string;
  /** Where certificates are verified against (https), for the comment; empty for http. */
  caFile: string;
  https: boolean;
  dropsCredentials: boolean;
  locations: NginxLocation[];
}

export interface NginxDirective {
  /** e.g. `map_hash_bucket_size 128;` */
  line: string;
}

export interface NginxView {
  /** Maps every policy uses, defined once. */
  sharedMaps: NginxMap[];
  policies: NginxPolicyView[];
  /** Whether http.conf must raise nginx's map hash limits (then `mapHash` is non-empty). */
  setsMapHash: boolean;
  mapHash: NginxDirective[];
  /** Whether http.conf must raise variables_hash_bucket_size (then `variablesHash` is non-empty). */
  setsVariablesHash: boolean;
  variablesHash: NginxDirective[];
  /** How many variables http.conf defines. */
  variableCount: number;
  /** Whether the file names paths (docs/contract.md §2a). */
  pathScoped: boolean;
}

// --- strings in nginx configuration -------------------------------------------------------------

/**
 * A double-quoted nginx string holding exactly `text` once nginx has read it. Inside quotes nginx's
 * reader turns `\"`, `\'`, `\\`, `\t`, `\r` and `\n` into one character and keeps every other
 * backslash, so a backslash is doubled only where it would otherwise start one of those pairs (or
 * escape the closing quote): regexes stay readable (`\.` stays `\.`).
 */
export function nginxString(text: string): string {
  return doubleQuoted(text, 'nginx', '\'\\trn');
}

/**
 * A quoted map value or add_header value made of literal text: nginx would read `$` there as a
 * variable. The policy checks refuse `$` in every name (rule header-token / method-token), so one
 * reaching this point is a bug upstream of the target, never something to emit.
 */
function literal(text: string): string {
  if (text.includes('$')) throw new Error(`nginx: "$" in the literal ${JSON.stringify(text)} would be read as a variable`);
  return nginxString(text);
}

/** Literal text followed by the value of a request variable, as one quoted nginx value. */
function literalThenVariable(prefix: string, variable: string): string {
  if (prefix.includes('$')) throw new Error(`nginx: "$" in the literal ${JSON.stringify(prefix)} would be read as a variable`);
  return nginxString(`${prefix}${variable}`);
}

// --- names --------------------------------------------------------------------------------------

/** `$cors_<policy>_<suffix>`: policy names are `^[a-z][a-z0-9-]{0,31}$`, nginx variables have no `-`. */
export function variableName(policy: string, suffix: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(policy)) throw new Error(`nginx: invalid policy name ${JSON.stringify(policy)}`);
  // Suffixes have no `_`, so the name part is what lies between `cors_` and the last `_`: two
  // policies can never share a variable (`a-b` gives cors_a_b_*, and no policy name holds `_`).
  if (!/^[a-z]+$/.test(suffix)) throw new Error(`nginx: invalid variable suffix ${JSON.stringify(suffix)}`);
  const name = `cors_${policy.replace(/-/g, '_')}_${suffix}`;
  if (name.length > MAX_VARIABLE_NAME) throw new Error(`nginx: variable name ${name} exceeds ${MAX_VARIABLE_NAME} bytes`);
  return `$${name}`;
}

// --- maps ---------------------------------------------------------------------------------------

const PAD_LIMIT = 48;

interface RawEntry {
  key: string; // already quoted, or `default`
  value: string;
}

function entries(raw: RawEntry[]): NginxMapEntry[] {
  // Keys longer than PAD_LIMIT (long regexes) are not padded and do not widen the others.
  // reduce, not Math.max(...): a spread of 500,000 lengths overflows the stack (issue 9).
  const width = raw.reduce((w, e) => (e.key.length <= PAD_LIMIT && e.key.length > w ? e.key.length : w), 0);
  return raw.map((e) => ({ key: e.key.padEnd(width), value: e.value }));
}

/** A hashed string key (nginx compares it ignoring case). */
const exactKey = (s: string) => nginxString(s);
/** A regex key: `~` is case-sensitive (`~*` would not be); always quoted, as `{`, `}` and `;` end a token. */
const regexKey = (re: string) => nginxString(`~${re}`);
const escapeRegex = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** A map and the exact keys nginx hashes for it (for the map_hash_* settings). */
interface BuiltMap {
  map: NginxMap;
  exact: ExactKeys;
  /** A hostnames map's wildcard tables, one per level of labels. */
  levels?: ExactKeys[];
}

/** The states of $cors_P_state: the plan's stages, plus a refused preflight. */
const STATE_REFUSED = 'refused';

/**
 * Maps every policy shares (defined once in http.conf): what an allowed and a refused Origin mean
 * for this request. A preflight is OPTIONS + a non-empty Access-Control-Request-Method (the Origin is
 * checked by the policy's own map). Hash lookups only, no regex: nginx answers 400 to a method that
 * is not upper case, so the case-insensitive key OPTIONS is exactly the method OPTIONS, and "" is
 * both an empty and an absent header. Their names have one `_`, policy variables two or more.
 */
export const SHARED_ALLOWED = '$cors_allowed';
export const SHARED_REFUSED = '$cors_refused';
const OPTIONS_ALLOWED = '$cors_optallowed';
const OPTIONS_REFUSED = '$cors_optrefused';

function sharedMap(comment: string, source: string, variable: string, raw: RawEntry[]): BuiltMap {
  return { map: { comment: [comment], source, variable, entries: entries(raw) }, exact: raw.filter((e) => e.key !== 'default').map((e) => unquotedKey(e.key)) };
}

/** The text nginx hashes for a quoted exact key (lower case). */
const unquotedKey = (key: string) => key.replace(/^"|"$/g, '').toLowerCase();

function sharedMaps(): BuiltMap[] {
  const stage: Record<Stage, string> = { preflight: 'preflight', actual: 'actual' };
  const none = exactKey('');
  return [
    sharedMap('For an allowed Origin: a preflight (OPTIONS + non-empty Access-Control-Request-Method) or an actual request.', '$request_method', SHARED_ALLOWED, [
      { key: exactKey('OPTIONS'), value: OPTIONS_ALLOWED },
      { key: 'default', value: stage.actual },
    ]),
    sharedMap('An OPTIONS request from an allowed Origin: a preflight unless Access-Control-Request-Method is empty or absent.', REQUEST_METHOD_HEADER, OPTIONS_ALLOWED, [
      { key: none, value: stage.actual },
      { key: 'default', value: stage.preflight },
    ]),
    sharedMap('For a refused Origin: a refused preflight, or "" (an actual request, forwarded without CORS headers).', '$request_method', SHARED_REFUSED, [
      { key: exactKey('OPTIONS'), value: OPTIONS_REFUSED },
    ]),
    sharedMap('An OPTIONS request from a refused Origin: a refused preflight unless Access-Control-Request-Method is empty or absent.', REQUEST_METHOD_HEADER, OPTIONS_REFUSED, [
      { key: none, value: nginxString('') },
      { key: 'default', value: STATE_REFUSED },
    ]),
  ];
}

/** The normalized path nginx chooses a location with (decoded, dot-segments removed, slashes merged). */
export const REQUEST_PATH = '$uri';

/** The nginx variable of a request header: `$http_` + the name in lower case, `-` written `_`. */
export const requestVariable = (header: string) => `$http_${header.toLowerCase().replace(/-/g, '_')}`;

/** The suffix of the variable that holds a response header's value (`$cors_P_<suffix>`). */
const HEADER_SUFFIX: Record<CorsResponseHeader, string> = {
  'Access-Control-Allow-Origin': 'acao',
  'Access-Control-Allow-Credentials': 'acac',
  'Access-Control-Allow-Methods': 'acam',
  'Access-Control-Allow-Headers': 'acah',
  'Access-Control-Max-Age': 'acma',
  'Access-Control-Expose-Headers': 'aceh',
  'Access-Control-Allow-Private-Network': 'acapn',
};

// --- one policy: the Origin ---------------------------------------------------------------------

/** One DNS label as the plan defines it for subdomain wildcards (src/plan/types.ts). */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);

/**
 * Shared named captures of the regex that splits an Origin for the hostnames maps. nginx stores a
 * named capture in the variable of that name when the regex matches; the name has one `_`.
 */
const SPLIT_SCHEME = 'cors_wscheme';
const SPLIT_HOST = 'cors_whost';
const SPLIT_PORT = 'cors_wport';
/**
 * `scheme://host[:port]` where every label of the host is a LABEL: then "host is one or more labels,
 * a dot and the suffix" is exactly "host ends in .suffix", which a hostnames map finds by hash.
 */
const SPLIT_ORIGIN = `^(?<${SPLIT_SCHEME}>https?)://(?<${SPLIT_HOST}>(?:${LABEL}\\.)+${LABEL})(?::(?<${SPLIT_PORT}>[0-9]{1,5}))?$`;
/** The hostnames map's source: the host, then the port and scheme as two more labels (`a.example.com.p8443.https`). */
const SPLIT_KEY = `$${SPLIT_HOST}.p$${SPLIT_PORT}.$${SPLIT_SCHEME}`;
const wildcardKey = (w: SubdomainWildcard) => `*.${w.suffix}.p${w.port ?? ''}.${w.scheme}`;

/** Wildcards a hostnames map can hold: the suffix is made of LABELs (else its regex stays). */
function hashable(r: OriginRegex): r is OriginRegex & { wildcard: SubdomainWildcard } {
  return r.wildcard !== undefined && DNS_NAME.test(r.wildcard.suffix);
}

/**
 * Subdomain wildcards, looked up by hash: `$cors_P_wild` is $cors_allowed when the split Origin's
 * key ends in one of the wildcards' keys, $cors_refused otherwise.
 */
function wildcardMap(p: PolicyPlan, wildcards: readonly SubdomainWildcard[], variable: string): BuiltMap {
  const keys = [...new Set(wildcards.map(wildcardKey))];
  return {
    map: {
      comment: [
        `Policy ${p.name}: the subdomain wildcards, found by hash (a hostnames map matches "*.suffix" on the labels`,
        `of "${SPLIT_KEY}", which the last regex of the map below captured).`,
      ],
      source: nginxString(SPLIT_KEY),
      variable,
      hostnames: true,
      entries: entries([{ key: 'default', value: SHARED_REFUSED }, ...keys.map((k) => ({ key: nginxString(k), value: SHARED_ALLOWED }))]),
    },
    exact: [],
    levels: wildcardLevels(keys),
  };
}

/**
 * The keys of the hash tables nginx builds for wildcard keys (ngx_hash_wildcard_init): one table per
 * level of labels read from the right, keyed by the next label. Sized like the exact keys.
 */
function wildcardLevels(keys: readonly string[]): ExactKeys[] {
  const levels = new Map<string, Set<string>>();
  for (const k of keys) {
    const labels = k.slice(2).split('.').reverse();
    labels.forEach((label, i) => {
      const parent = labels.slice(0, i).join('.');
      levels.set(parent, (levels.get(parent) ?? new Set()).add(label));
    });
  }
  return [...levels.values()].map((s) => [...s]);
}

/**
 * The request's state for this policy, in one lookup of the Origin: exact origins are hashed string
 * keys (nginx compares them ignoring case); the other entries are the plan's anchored regexes,
 * case-sensitive regex keys tried in order, except subdomain wildcards, which the last regex hands
 * to a hostnames map. The shared maps tell preflights from the rest.
 */
function originMaps(p: PolicyPlan, variable: string, wildVariable: string): BuiltMap[] {
  const raw: RawEntry[] = [
    { key: 'default', value: p.origins.kind === 'any' ? SHARED_ALLOWED : SHARED_REFUSED },
    { key: exactKey(''), value: nginxString('') },
  ];
  const exact = [''];
  const wildcards: SubdomainWildcard[] = [];
  if (p.origins.kind === 'list') {
    for (const o of p.origins.exact) {
      raw.push({ key: exactKey(o), value: SHARED_ALLOWED });
      exact.push(o.toLowerCase());
    }
    for (const r of p.origins.regexes) {
      if (hashable(r)) wildcards.push(r.wildcard);
      else raw.push({ key: regexKey(r.regex), value: SHARED_ALLOWED });
    }
  }
  // Last: a regex that matches would end the search, and every other regex gives the same answer.
  if (wildcards.length > 0) raw.push({ key: regexKey(SPLIT_ORIGIN), value: wildVariable });
  const comment =
    p.origins.kind === 'any'
      ? `Policy ${p.name}: any Origin is allowed (origins: "*"); "" without an Origin header.`
      : `Policy ${p.name}: ${SHARED_ALLOWED} for an allowed Origin, ${SHARED_REFUSED} for any other, "" without one.`;
  const state: BuiltMap = { map: { comment: [comment], source: REQUEST_ORIGIN, variable, entries: entries(raw) }, exact };
  return wildcards.length > 0 ? [wildcardMap(p, wildcards, wildVariable), state] : [state];
}

// --- one policy: the path (docs/contract.md §2a) ----------------------------------------------------------

const VARY_ORIGIN = 'Origin';

/**
 * The plan's routes that decide whether `p` governs a path, longest first: its own, and the longer
 * ones of other policies that extend one of its prefixes (any other route cannot take a path from
 * it: leaving it out saves a regex per request).
 */
function decidingRoutes(p: PolicyPlan, routes: readonly Route[]): { prefix: string; own: boolean }[] {
  const own = routes.filter((r) => r.policy === p.name).map((r) => checkedPrefix(r.prefix, 'nginx'));
  return routes
    .map((r) => ({ prefix: checkedPrefix(r.prefix, 'nginx'), own: r.policy === p.name }))
    .filter((r) => r.own || own.some((o) => r.prefix.length > o.length && r.prefix.startsWith(o)));
}

/**
 * `$cors_P_vary` is `Origin` where the policy governs the path and "" elsewhere: nginx tries a map's
 * regex keys in order, and the plan's routes come longest first. `$cors_P_state` is then the
 * Origin's state there and "" elsewhere, so the policy answers no preflight and adds no header
 * (Vary included) at a path it does not govern.
 */
function pathMaps(p: PolicyPlan, routes: readonly Route[], originVar: string, stateVar: string, varyVar: string): BuiltMap[] {
  const raw = decidingRoutes(p, routes).map((r) => ({ key: regexKey(prefixRegex(r.prefix)), value: r.own ? VARY_ORIGIN : nginxString('') }));
  return [
    {
      map: {
        comment: [
          `Policy ${p.name} governs the paths (nginx's normalized $uri) that start with ${p.paths.join(', ')},`,
          'unless a longer prefix of another policy of this file matches: Origin there, "" elsewhere.',
        ],
        source: REQUEST_PATH,
        variable: varyVar,
        entries: entries(raw),
      },
      exact: [],
    },
    {
      map: {
        comment: [`Policy ${p.name}: the request's state where it governs the path, "" elsewhere.`],
        source: varyVar,
        variable: stateVar,
        entries: entries([{ key: exactKey(VARY_ORIGIN), value: originVar }]),
      },
      exact: [VARY_ORIGIN.toLowerCase()],
    },
  ];
}

// --- one policy: the response headers ------------------------------------------------------------

/** How one plan entry reads in a map: its value, and the request variable it needs beside the state. */
interface StageEntry {
  stage: Stage;
  /** Map entries keyed on the text after `<stage>:` of a `"$state:$var"` source. */
  keyed: { after: string; value: string }[];
  /** The request variable that source needs, or null: then the map is keyed on the state alone. */
  needs: string | null;
}

function valueText(v: Exclude<HeaderValue, { kind: 'list' }>): string {
  return v.kind === 'literal' ? literal(v.text) : REQUEST_ORIGIN;
}

/** A list header: the listed text alone, or followed by the request's own non-empty header. */
function listEntry(h: HeaderPlan, v: ListValue): StageEntry {
  const text = listText(v);
  if (v.reflect === null) {
    if (text.alone === null) throw new Error(`nginx: the plan's ${h.name} never has a value`);
    return { stage: h.on, keyed: [{ after: '', value: literal(text.alone) }], needs: null };
  }
  const variable = requestVariable(v.reflect);
  const keyed = [{ after: '.', value: text.beforeRequest === '' ? variable : literalThenVariable(text.beforeRequest, variable) }];
  if (text.alone !== null) keyed.push({ after: '', value: literal(text.alone) });
  return { stage: h.on, keyed, needs: variable };
}

function stageEntry(h: HeaderPlan): StageEntry {
  if (h.value.kind === 'list') {
    if (h.onlyIf) throw new Error(`nginx: the plan's ${h.name} has both a list value and a condition`);
    return listEntry(h, h.value);
  }
  const value = valueText(h.value);
  if (!h.onlyIf) return { stage: h.on, keyed: [{ after: '', value }], needs: null };
  // A regex key, anchored at both ends: string keys would ignore case.
  return { stage: h.on, keyed: [{ after: `${escapeRegex(h.onlyIf.equals)}$`, value }], needs: requestVariable(h.onlyIf.header) };
}

const STAGE_WORDS: Record<Stage, string> = { preflight: 'preflights', actual: 'actual requests' };

function headerComment(name: string, plans: readonly HeaderPlan[]): string[] {
  const on = plans.map((h) => STAGE_WORDS[h.on]).join(' and ');
  const lines = [`${name}, on allowed ${on}.`];
  const h = plans[0]!;
  if (h.value.kind === 'origin') lines.push("The value is the request's Origin, once it matched above.");
  if (h.value.kind === 'list' && h.value.reflect) lines.push(`A non-empty ${h.value.reflect} is reflected after the listed names.`);
  if (h.onlyIf) lines.push(`Only when the request sent exactly ${h.onlyIf.header}: ${h.onlyIf.equals} (a regex key: string keys ignore case).`);
  return lines;
}

/**
 * One map per response header the plan sends (its entries for each stage), source `$cors_P_state`,
 * or `"$cors_P_state:<request variable>"` when a value reflects or depends on a request header.
 * nginx sends no header for a map that gives "".
 */
function headerMap(name: CorsResponseHeader, plans: readonly HeaderPlan[], stateVar: string, variable: string): BuiltMap {
  const staged = plans.map(stageEntry);
  const needs = [...new Set(staged.map((s) => s.needs).filter((n): n is string => n !== null))];
  if (needs.length > 1) throw new Error(`nginx: the plan's ${name} depends on two request headers`);
  const need = needs[0] ?? null;
  const comment = headerComment(name, plans);
  if (need === null) {
    const raw = staged.map((s) => ({ key: s.stage, value: s.keyed[0]!.value }));
    return { map: { comment, source: stateVar, variable, entries: entries(raw) }, exact: raw.map((r) => r.key) };
  }
  const raw = staged.flatMap((s) => s.keyed.map((k) => ({ key: regexKey(`^${s.stage}:${k.after}`), value: k.value })));
  return { map: { comment, source: nginxString(`${stateVar}:${need}`), variable, entries: entries(raw) }, exact: [] };
}

/** The plan's headers grouped by name, in the plan's order. */
function byName(headers: readonly HeaderPlan[]): Map<CorsResponseHeader, HeaderPlan[]> {
  const out = new Map<CorsResponseHeader, HeaderPlan[]>();
  for (const h of headers) out.set(h.name, [...(out.get(h.name) ?? []), h]);
  return out;
}

function headerMaps(p: PolicyPlan, stateVar: string): { built: BuiltMap[]; addHeaders: NginxHeaderLine[] } {
  const built: BuiltMap[] = [];
  const addHeaders: NginxHeaderLine[] = [];
  for (const [name, plans] of byName(p.headers)) {
    const variable = variableName(p.name, HEADER_SUFFIX[name]);
    built.push(headerMap(name, plans, stateVar, variable));
    addHeaders.push({ name, value: variable });
  }
  return { built, addHeaders };
}

// --- one policy: proxy mode (docs/contract.md §6) ----------------------------------------------------------

/** The trust store nginx verifies an https upstream against when the policy names no `ca`: nginx has no implicit one. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** OpenSSL's default depth; nginx's proxy_ssl_verify_depth default (1) refuses a chain with an intermediate. */
const VERIFY_DEPTH = 100;

/**
 * The path rewrite of one mount: the normalized $uri minus the prefix (leading slashes dropped)
 * after the base path; a rest starting with a `.` or `..` segment does not match (no rewrite, 400).
 */
function mountRewrite(m: Mount): string {
  const prefix = escapeRegex(checkedPrefix(m.prefix, 'nginx'));
  return `rewrite ${nginxString(`^${prefix}/*((?!\\.\\.?(?:/|$)).*)$`)} ${literalThenVariable(checkedPrefix(m.basePath, 'nginx'), '$1')} break;`;
}

function proxyDirectives(x: ProxyPlan, m: Mount): string[] {
  const out = [
    mountRewrite(m),
    'return 400;',
    `proxy_pass ${x.origin};`,
    `proxy_set_header Host ${literal(x.authority)};`,
    ...x.dropRequestHeaders.map((h) => `proxy_set_header ${h} "";`),
    'proxy_http_version 1.1;',
    'proxy_request_buffering off;',
    'proxy_buffering off;',
  ];
  if (x.scheme === 'https') {
    // nginx shares one implicit upstream, and its cached TLS session, among every proxy_pass to the
    // same URL in http {}; a resumed session skips verification, so a session verified against
    // another location's CA would be accepted here (measured: 200 instead of 502). No reuse.
    out.push(
      'proxy_ssl_server_name on;',
      'proxy_ssl_verify on;',
      `proxy_ssl_verify_depth ${VERIFY_DEPTH};`,
      `proxy_ssl_trusted_certificate ${literal(x.ca ?? SYSTEM_CA_BUNDLE)};`,
      'proxy_ssl_session_reuse off;',
    );
  }
  // Redirects and cookie paths into the upstream URL, absolute or not, onto the same place here.
  const proxied = m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`;
  out.push(
    'absolute_redirect off;',
    `proxy_redirect ${literal(`${x.origin}${x.basePath}`)} ${literal(proxied)};`,
    `proxy_redirect ${literal(x.basePath)} ${literal(proxied)};`,
    `proxy_cookie_domain ${regexKey('^.*$')} "";`,
    `proxy_cookie_path ${literal(x.basePath)} ${literal(proxied)};`,
  );
  return out;
}

function proxyView(x: ProxyPlan, url: string): NginxProxyView {
  return {
    url,
    caFile: x.scheme === 'https' ? (x.ca ?? SYSTEM_CA_BUNDLE) : '',
    https: x.scheme === 'https',
    dropsCredentials: x.dropRequestHeaders.length > 0,
    locations: x.mounts.map((m) => ({ match: m.prefix === '/' ? '/' : `^~ ${checkedPrefix(m.prefix, 'nginx')}`, directives: proxyDirectives(x, m) })),
  };
}

// --- one policy ---------------------------------------------------------------------------------

/** The requests nginx answers itself, from the plan's answers. */
function returns(p: PolicyPlan, stateVar: string): NginxReturn[] {
  const out: NginxReturn[] = [{ variable: stateVar, state: 'preflight', status: p.answers.allowed }];
  if (p.answers.refused !== null) out.push({ variable: stateVar, state: STATE_REFUSED, status: p.answers.refused });
  return out;
}

function governed(p: PolicyPlan, routes: readonly Route[]): NginxPolicyView['governed'] {
  return p.paths.map((prefix) => {
    const except = decidingRoutes(p, routes)
      .filter((r) => !r.own && r.prefix.startsWith(prefix))
      .map((r) => r.prefix);
    return { prefix, except: except.length > 0 ? ` (except ${except.join(', ')}: another policy's)` : '' };
  });
}

function policyView(p: PolicyPlan, routes: readonly Route[] | null): { view: NginxPolicyView; exactKeys: ExactKeys[] } {
  const v = (suffix: string) => variableName(p.name, suffix);
  const stateVar = v('state');
  const varyVar = v('vary');
  // With paths, the Origin's map feeds the path maps, which give the policy's state.
  const originVar = routes ? v('origin') : stateVar;
  const headers = headerMaps(p, stateVar);
  const built = [...originMaps(p, originVar, v('wild')), ...(routes ? pathMaps(p, routes, originVar, stateVar, varyVar) : []), ...headers.built];
  return {
    view: {
      name: p.name,
      file: `${p.name}.conf`,
      maps: built.map((b) => b.map),
      returns: returns(p, stateVar),
      addHeaders: [...headers.addHeaders, { name: 'Vary', value: routes ? varyVar : p.vary }],
      hideHeaders: [...p.strip],
      pathScoped: routes !== null,
      governed: routes ? governed(p, routes) : [],
      proxy: p.proxy ? proxyView(p.proxy, `${p.proxy.origin}${p.proxy.basePath}`) : null,
    },
    exactKeys: built.flatMap((b) => [b.exact, ...(b.levels ?? [])]),
  };
}

/**
 * Every map defines a variable, and nginx hashes all variable names of http {} in one table. With
 * the defaults (variables_hash_bucket_size 64, variables_hash_max_size 1024) Debian's nginx 1.22.1
 * warns "could not build optimal variables_hash" from about 15 more variables of this length on
 * (measured); up to this many, http.conf leaves the setting alone.
 */
export const VARIABLES_WITHIN_DEFAULTS = 12;

/** variables_hash_bucket_size for this many cors-gen variables (128 held 500 and 256 held 2,000 in the same measurement). */
export function variablesBucketSize(count: number): number | null {
  if (count <= VARIABLES_WITHIN_DEFAULTS) return null;
  if (count <= 400) return 128;
  if (count <= 1600) return 256;
  return 512;
}

export function buildNginxView(plan: ResponsePlan): NginxView {
  const shared = sharedMaps();
  const built = plan.policies.map((p) => policyView(p, plan.pathScoped ? plan.routes : null));
  const map = chooseMapHashSettings([...shared.map((s) => s.exact), ...built.flatMap((b) => b.exactKeys)]);
  const mapHash: NginxDirective[] = [];
  if (map.bucketSize !== NGINX_MAP_HASH_DEFAULTS.bucketSize) mapHash.push({ line: `map_hash_bucket_size ${map.bucketSize};` });
  if (map.maxSize !== NGINX_MAP_HASH_DEFAULTS.maxSize) mapHash.push({ line: `map_hash_max_size ${map.maxSize};` });
  const variableCount = shared.length + built.reduce((n, b) => n + b.view.maps.length, 0);
  const bucket = variablesBucketSize(variableCount);
  const variablesHash: NginxDirective[] = bucket === null ? [] : [{ line: `variables_hash_bucket_size ${bucket};` }];
  return {
    sharedMaps: shared.map((s) => s.map),
    policies: built.map((b) => b.view),
    setsMapHash: mapHash.length > 0,
    mapHash,
    setsVariablesHash: variablesHash.length > 0,
    variablesHash,
    variableCount,
    pathScoped: built.some((b) => b.view.pathScoped),
  };
}
