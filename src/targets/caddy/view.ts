// The Caddy view model: every decision of the Caddy target is made here (names, map entries, quoting,
// header values, which directives exist); templates/caddy/cors.hbs only lays the result out.
//
// Shape of one policy's snippets (Caddy 2.6.2, see docs/research server-facts §2.3):
// - `map {http.request.header.Origin} {CORS-<name>-origin-allowed}`: exact origins as plain keys,
//   patterns and user regexes as `~` keys (RE2), output `yes`, default `no`; `vars` keeps the
//   answer for the request, so the map is consulted once.
// - named matchers `@cors-<name>-…` that combine method, non-empty Origin / Access-Control-Request-Method
//   (`header_regexp … .`; the `header` matcher's `*` also matches an empty value) and the map output.
// - immediate `header` ops only: deferred ones are lost on error responses, and they run before
//   `handle`, `respond` and `reverse_proxy` whatever the site contains.
// - `handle @preflight { respond 204|403 }`: a `handle` with a named matcher is never sorted behind the
//   site's own `handle`/`route` blocks when the snippet is imported first, so preflights never reach
//   the application.
// - the `-upstream` snippet deletes the application's CORS headers with `header_down`, because the
//   proxy adds the upstream's headers to ours.
import { matcherRegex } from '../../model/regex.js';
import { CORS_RESPONSE_HEADERS, type ListHeader, type Policy, type PolicySet } from '../../model/types.js';
import { prefixRoutes, type PrefixRoute } from '../paths.js';

export const CADDY_FILE = 'cors.caddy';

export interface CaddyMapEntry {
  /** The map input as a Caddyfile token: an exact origin, or `"~<regex>"`. */
  key: string;
  output: string;
}

export interface CaddyMap {
  source: string;
  /** The placeholder the map writes, braces included. */
  destination: string;
  entries: CaddyMapEntry[];
  defaultOutput: string;
  /**
   * The request variable that holds the map's answer. Caddy's map placeholder is computed again on
   * every read, a scan of all the entries; the `vars` directive reads it once per request and the
   * matchers then read the variable.
   */
  variable: string;
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

export interface CaddyHandle {
  matcher: string;
  status: number;
}

export interface CaddyPolicyView {
  name: string;
  snippet: string;
  upstreamSnippet: string;
  /** Whether origins are looked up in a map (false for `origins: "*"`). */
  hasMap: boolean;
  /** Whether `vars` keeps the map's answer unconditionally (with paths, the path `vars` keep it). */
  mapToVars: boolean;
  map: CaddyMap;
  matchers: CaddyMatcher[];
  /** The `header` op that adds `Vary: Origin` (an add, never a set). */
  vary: CaddyHeaderField;
  /** `@<matcher> ` before the Vary op when the policy governs only some paths, else empty. */
  varyMatcher: string;
  /** Whether the file names paths: then the policy governs only some paths (contract §2a). */
  pathScoped: boolean;
  /** The prefixes it governs, for the comment. */
  governed: { prefix: string; except: string }[];
  /** `vars <matcher> <variable> yes`: one per prefix, marking a request the policy governs. */
  pathVars: { matcher: string; variable: string; value: string }[];
  headers: CaddyHeaderBlock[];
  handles: CaddyHandle[];
  /** A matcher for everything but preflights, for the user's basicauth / forward_auth. */
  notPreflightMatcher: string;
  /** `header_down` arguments of the upstream snippet. */
  headerDown: string[];
}

export interface CaddyView {
  file: string;
  policyNames: string;
  policies: CaddyPolicyView[];
}

const ORIGIN = '{http.request.header.Origin}';
const REQUEST_METHOD = '{http.request.header.Access-Control-Request-Method}';
const REQUEST_HEADERS = '{http.request.header.Access-Control-Request-Headers}';
const MAP_YES = 'yes';
const MAP_NO = 'no';

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

/**
 * The header value for a list header on a preflight, given that the request's own value is known to be
 * non-empty (`reflected` is then appended as one more element); undefined when the header is omitted.
 */
export function listValue(h: ListHeader, reflectedPlaceholder: string | null, what: string): string | undefined {
  const parts = [...tokens(h.listed, what)];
  if (reflectedPlaceholder !== null) parts.push(reflectedPlaceholder);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function field(name: string, value: string): CaddyHeaderField {
  return { field: name, value: caddyToken(value) };
}

/**
 * Contract §2a with Caddy's own path matcher: it compares the cleaned path (decoded, dot-segments
 * resolved, slashes merged, trailing dots and spaces trimmed) ignoring case. One matcher per
 * prefix, minus the longer prefixes of the file's other policies, sets a request variable; the
 * `vars` directive runs before `header` and `handle` whatever the site holds, so every other
 * matcher of the policy can test it.
 */
function pathMatchers(n: string, routes: PrefixRoute[], variable: string, value: string): { matchers: CaddyMatcher[]; vars: CaddyPolicyView['pathVars'] } {
  const matchers: CaddyMatcher[] = [];
  const vars: CaddyPolicyView['pathVars'] = [];
  routes.forEach((r, i) => {
    const name = `cors-${n}-path-${i}`;
    const conditions = [`path ${caddyToken(`${r.prefix}*`)}`];
    if (r.excluded.length > 0) conditions.push(`not path ${r.excluded.map((e) => caddyToken(`${e}*`)).join(' ')}`);
    matchers.push({ name, conditions, hasNotBlock: false, notConditions: [] });
    vars.push({ matcher: `@${name}`, variable, value });
  });
  return { matchers, vars };
}

export function buildPolicyView(p: Policy, routes: PrefixRoute[] | null = null): CaddyPolicyView {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(p.name)) throw new Error(`caddy: invalid policy name ${JSON.stringify(p.name)}`);
  const n = p.name;
  const m = (suffix: string) => `cors-${n}-${suffix}`;
  // The map's placeholder has upper case in it: newer Caddy versions refuse a map whose input
  // contains the destination's name ("infinite recursion"), and exact origins are lower case.
  const destination = `{CORS-${n}-origin-allowed}`;
  const variable = `cors-${n}-origin-allowed`;
  const listed = p.origins.kind === 'list';

  const entries: CaddyMapEntry[] = [];
  if (p.origins.kind === 'list') {
    const seen = new Set<string>();
    const add = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      entries.push({ key: caddyToken(key), output: MAP_YES });
    };
    // Exact origins first (plain string keys), then the regexes in policy order.
    for (const o of p.origins.matchers) if (o.kind === 'exact') add(o.origin);
    for (const o of p.origins.matchers) if (o.kind !== 'exact') add(`~${caddyRegex(matcherRegex(o))}`);
  }

  const originPresent = `header_regexp ${m('origin')} Origin .`;
  const requestMethodPresent = `header_regexp ${m('acrm')} Access-Control-Request-Method .`;
  const preflight = ['method OPTIONS', originPresent, requestMethodPresent];
  // With paths, one request variable holds both facts: unset where the policy does not govern the
  // path, else the map's answer (yes/no), or yes for `origins: "*"`. (Caddy ORs the variables of
  // one `vars` matcher, so two flags could not be ANDed in one matcher.)
  const inVariable = `cors-${n}-in`;
  const stateVariable = routes ? inVariable : variable;
  const originAllowed = routes || listed ? [`vars ${stateVariable} ${MAP_YES}`] : [];
  const notBlock = (conditions: string[], not: string[] = []): Omit<CaddyMatcher, 'name'> => ({
    conditions,
    hasNotBlock: not.length > 0,
    notConditions: not,
  });

  const matchers: CaddyMatcher[] = [];
  const headers: CaddyHeaderBlock[] = [];
  const handles: CaddyHandle[] = [];
  const define = (name: string, body: Omit<CaddyMatcher, 'name'>): string => {
    matchers.push({ name, ...body });
    return `@${name}`;
  };

  // Preflight, origin allowed: answered 204 here.
  const preflightAllowed = define(m('preflight'), notBlock([...preflight, ...originAllowed]));
  const acao = p.origins.kind === 'any' && !p.credentials ? '*' : ORIGIN;
  const common = [field('Access-Control-Allow-Origin', acao)];
  if (p.credentials) common.push(field('Access-Control-Allow-Credentials', 'true'));

  const preflightFields = [...common];
  // A preflight's Access-Control-Request-Method is non-empty by definition.
  const methods = listValue(p.allowMethods, p.allowMethods.reflectRequest ? REQUEST_METHOD : null, 'method');
  if (methods !== undefined) preflightFields.push(field('Access-Control-Allow-Methods', methods));
  const plainAllowHeaders = listValue(p.allowHeaders, null, 'header');
  if (!p.allowHeaders.reflectRequest && plainAllowHeaders !== undefined) {
    preflightFields.push(field('Access-Control-Allow-Headers', plainAllowHeaders));
  }
  if (p.maxAge !== null) preflightFields.push(field('Access-Control-Max-Age', String(p.maxAge)));
  headers.push({ matcher: preflightAllowed, fields: preflightFields });

  if (p.allowHeaders.reflectRequest) {
    // Reflection only when the request sent a non-empty Access-Control-Request-Headers; otherwise
    // the listed names alone (no dangling ", "), or no header at all.
    const requestHeadersPresent = `header_regexp ${m('acrh')} Access-Control-Request-Headers .`;
    const withRequest = define(m('preflight-acrh'), notBlock([...preflight, ...originAllowed, requestHeadersPresent]));
    headers.push({ matcher: withRequest, fields: [field('Access-Control-Allow-Headers', listValue(p.allowHeaders, REQUEST_HEADERS, 'header')!)] });
    if (plainAllowHeaders !== undefined) {
      const withoutRequest = define(m('preflight-no-acrh'), notBlock([...preflight, ...originAllowed, `not ${requestHeadersPresent}`]));
      headers.push({ matcher: withoutRequest, fields: [field('Access-Control-Allow-Headers', plainAllowHeaders)] });
    }
  }

  if (p.privateNetwork) {
    const pna = define(
      m('preflight-pna'),
      notBlock([...preflight, ...originAllowed, `header_regexp ${m('acrpn')} Access-Control-Request-Private-Network ^true$`]),
    );
    headers.push({ matcher: pna, fields: [field('Access-Control-Allow-Private-Network', 'true')] });
  }

  // Preflight, origin refused: 403 here (there is none for `origins: "*"`).
  let preflightRefused: string | null = null;
  if (listed) {
    const refusedHere = routes ? `vars ${stateVariable} ${MAP_NO}` : `not vars ${variable} ${MAP_YES}`;
    preflightRefused = define(m('preflight-refused'), notBlock([...preflight, refusedHere]));
  }

  // Actual request (anything but a preflight), origin allowed: headers, then on to the application.
  const actualFields = [...common];
  if (p.exposeHeaders.length > 0) actualFields.push(field('Access-Control-Expose-Headers', tokens(p.exposeHeaders, 'header').join(', ')));
  const actualAllowed = define(m('actual'), notBlock([originPresent, ...originAllowed], ['method OPTIONS', requestMethodPresent]));
  const governedMatcher = routes ? define(m('in'), notBlock([`vars ${inVariable} ${listed ? `${MAP_YES} ${MAP_NO}` : MAP_YES}`])) : null;
  const paths = routes ? pathMatchers(n, routes, inVariable, listed ? destination : MAP_YES) : { matchers: [], vars: [] };
  headers.push({ matcher: actualAllowed, fields: actualFields });

  const notPreflight = define(m('not-preflight'), notBlock([], preflight));

  handles.push({ matcher: preflightAllowed, status: 204 });
  if (preflightRefused !== null) handles.push({ matcher: preflightRefused, status: 403 });

  return {
    name: n,
    snippet: `cors-${n}`,
    upstreamSnippet: `cors-${n}-upstream`,
    hasMap: listed,
    mapToVars: listed && !routes,
    map: { source: ORIGIN, destination, entries, defaultOutput: MAP_NO, variable },
    matchers: [...paths.matchers, ...matchers],
    vary: { field: '+Vary', value: 'Origin' },
    varyMatcher: governedMatcher ? `${governedMatcher} ` : '',
    pathScoped: routes !== null,
    governed: (routes ?? []).map((r) => ({ prefix: r.prefix, except: r.excluded.length > 0 ? ` (except ${r.excluded.join(', ')}: another policy's)` : '' })),
    pathVars: paths.vars,
    headers,
    handles,
    notPreflightMatcher: notPreflight,
    headerDown: CORS_RESPONSE_HEADERS.map((h) => `-${h}`),
  };
}

export function buildCaddyView(set: PolicySet): CaddyView {
  return {
    file: CADDY_FILE,
    policyNames: set.policies.map((p) => p.name).join(', '),
    policies: set.policies.map((p) => buildPolicyView(p, prefixRoutes(set, p, 'caddy', true))),
  };
}
