// The nginx view model: every decision the nginx files embody is made here, as data the templates
// only lay out (templates/nginx/*.hbs).
//
// Shape of the generated configuration:
//   http.conf   two shared maps on "$request_method:$http_access_control_request_method":
//                 $cors_allowed = preflight | actual      $cors_refused = refused | ""
//               per policy P (variables $cors_<P>_*, `-` written `_`):
//                 map $http_origin → $cors_P_state: $cors_allowed for an allowed Origin,
//                   $cors_refused for another, "" without Origin (one hash lookup or regex pass)
//                 one map per response header the policy can send: $cors_P_state → value or ""
//   P.conf      if ($cors_P_state = preflight) { return 204; }   if (… = refused) { return 403; }
//               add_header <CORS header> $cors_P_<h> always;     (an empty value adds no header)
//               add_header Vary Origin always;  proxy_hide_header <each CORS header>;
import { doubleQuoted } from '../quoting.js';
import { matcherRegex } from '../../model/regex.js';
import { CORS_RESPONSE_HEADERS, type ListHeader, type Policy, type PolicySet } from '../../model/types.js';
import { chooseMapHashSettings, NGINX_MAP_HASH_DEFAULTS, type ExactKeys } from './hash.js';
import { prefixRegex, prefixRoutes, type PrefixRoute } from '../paths.js';

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
  /** Whether the file names paths: then the policy governs only `governed` (contract §2a). */
  pathScoped: boolean;
  /** Its prefixes, each with the longer prefixes of other policies that are not its own. */
  governed: { prefix: string; except: string }[];
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
  /** Whether the file names paths (contract §2a). */
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
  // A loop, not Math.max(...keys): spreading 125,000+ keys overflows the call stack.
  const width = raw.reduce((w, e) => (e.key.length <= PAD_LIMIT && e.key.length > w ? e.key.length : w), 0);
  return raw.map((e) => ({ key: e.key.padEnd(width), value: e.value }));
}

/** A hashed string key (nginx compares it ignoring case). */
const exactKey = (s: string) => nginxString(s);
/** A regex key: `~` is case-sensitive (`~*` would not be); always quoted, as `{`, `}` and `;` end a token. */
const regexKey = (re: string) => nginxString(`~${re}`);

const STATE_PREFLIGHT = 'preflight';
const STATE_REFUSED = 'refused';
const STATE_ACTUAL = 'actual';

/**
 * Two maps every policy shares (defined once in http.conf): what an allowed and a refused Origin
 * mean for this request. A preflight is OPTIONS + a non-empty Access-Control-Request-Method (the
 * Origin is checked by the policy's own map). Their names have one `_`, policy variables two or more.
 */
export const SHARED_ALLOWED = '$cors_allowed';
export const SHARED_REFUSED = '$cors_refused';

function sharedMaps(): { maps: NginxMap[]; exactKeys: ExactKeys[] } {
  const source = nginxString(`$request_method:${REQUEST_METHOD_HEADER}`);
  const preflight = regexKey('^OPTIONS:.');
  return {
    maps: [
      {
        comment: ['For an allowed Origin: a preflight (OPTIONS + non-empty Access-Control-Request-Method) or an actual request.'],
        source,
        variable: SHARED_ALLOWED,
        entries: entries([
          { key: preflight, value: STATE_PREFLIGHT },
          { key: 'default', value: STATE_ACTUAL },
        ]),
      },
      {
        comment: ['For a refused Origin: a refused preflight, or "" (an actual request, forwarded without CORS headers).'],
        source,
        variable: SHARED_REFUSED,
        entries: entries([{ key: preflight, value: STATE_REFUSED }]),
      },
    ],
    exactKeys: [[], []],
  };
}

/** The value of a list header on an allowed preflight; undefined when it never has an element. */
interface ListDecision {
  /** Value when the reflected request header is empty or reflection is off. */
  plain?: string;
  /** Value when the reflected request header is non-empty (reflection on). */
  reflected?: string;
}

function listDecision(h: ListHeader, requestVariable: string): ListDecision {
  const listed = h.listed.join(', ');
  const out: ListDecision = {};
  if (h.listed.length > 0) out.plain = literal(listed);
  if (h.reflectRequest) out.reflected = h.listed.length > 0 ? literalThenVariable(`${listed}, `, requestVariable) : requestVariable;
  return out;
}

/** The normalized path nginx chooses a location with (decoded, dot-segments removed, slashes merged). */
export const REQUEST_PATH = '$uri';
const VARY_ORIGIN = 'Origin';

/**
 * Contract §2a: `$cors_P_vary` is `Origin` where the policy governs the path and "" elsewhere: the
 * longest of the file's prefixes that matches `$uri` decides (nginx tries a map's regex keys in
 * order, so the longest come first). `$cors_P_state` is then the Origin's state there and ""
 * elsewhere, so the policy answers no preflight and adds no header (Vary included) at a path it
 * does not govern.
 */
function pathMaps(policy: Policy, routes: PrefixRoute[], originState: string, stateVar: string, varyVar: string): { maps: NginxMap[]; exactKeys: ExactKeys[] } {
  const keyed = new Map<string, string>();
  for (const r of routes) {
    keyed.set(r.prefix, VARY_ORIGIN);
    for (const e of r.excluded) if (!keyed.has(e)) keyed.set(e, nginxString(''));
  }
  const ordered = [...keyed.entries()].sort((a, b) => b[0].length - a[0].length);
  return {
    maps: [
      {
        comment: [
          `Policy ${policy.name} governs the paths (nginx's normalized $uri) that start with ${policy.paths.join(', ')},`,
          'unless a longer prefix of another policy of this file matches: Origin there, "" elsewhere.',
        ],
        source: REQUEST_PATH,
        variable: varyVar,
        entries: entries(ordered.map(([prefix, value]) => ({ key: regexKey(prefixRegex(prefix)), value }))),
      },
      {
        comment: [`Policy ${policy.name}: the request's state where it governs the path, "" elsewhere.`],
        source: varyVar,
        variable: stateVar,
        entries: entries([{ key: exactKey(VARY_ORIGIN), value: originState }]),
      },
    ],
    exactKeys: [[], [VARY_ORIGIN.toLowerCase()]],
  };
}

function policyView(policy: Policy, routes: PrefixRoute[] | null): { view: NginxPolicyView; exactKeys: ExactKeys[] } {
  const v = (suffix: string) => variableName(policy.name, suffix);
  const stateVar = v('state');
  // With paths, the Origin's map feeds the path maps, which give the policy's state.
  const originStateVar = routes ? v('origin') : stateVar;
  const maps: NginxMap[] = [];
  const exactKeys: ExactKeys[] = [];
  const addMap = (m: NginxMap, exact: ExactKeys) => {
    maps.push(m);
    exactKeys.push(exact);
  };

  // 1. The request's state for this policy, in one lookup of the Origin: exact origins are hashed
  // string keys (nginx compares them ignoring case); wildcards and regexes are anchored,
  // case-sensitive regex keys tried in order. The shared maps tell preflights from the rest.
  const stateEntries: RawEntry[] = [
    { key: 'default', value: policy.origins.kind === 'any' ? SHARED_ALLOWED : SHARED_REFUSED },
    { key: exactKey(''), value: nginxString('') },
  ];
  const stateExact = [''];
  if (policy.origins.kind === 'list') {
    for (const m of policy.origins.matchers) {
      if (m.kind === 'exact') {
        stateEntries.push({ key: exactKey(m.origin), value: SHARED_ALLOWED });
        stateExact.push(m.origin.toLowerCase());
      }
    }
    for (const m of policy.origins.matchers) {
      if (m.kind !== 'exact') stateEntries.push({ key: regexKey(matcherRegex(m)), value: SHARED_ALLOWED });
    }
  }
  addMap(
    {
      comment: [
        policy.origins.kind === 'any'
          ? `Policy ${policy.name}: any Origin is allowed (origins: "*"); "" without an Origin header.`
          : `Policy ${policy.name}: ${SHARED_ALLOWED} for an allowed Origin, ${SHARED_REFUSED} for any other, "" without one.`,
      ],
      source: REQUEST_ORIGIN,
      variable: originStateVar,
      entries: entries(stateEntries),
    },
    stateExact,
  );
  const varyVar = v('vary');
  if (routes) {
    const paths = pathMaps(policy, routes, originStateVar, stateVar, varyVar);
    paths.maps.forEach((m, i) => addMap(m, paths.exactKeys[i]!));
  }

  // 2. One map per header the policy can send; a header whose map gives "" is not sent.
  const addHeaders: NginxHeaderLine[] = [];
  const byState = (suffix: string, header: string, values: { preflight?: string; actual?: string }, comment: string[]) => {
    const variable = v(suffix);
    const raw: RawEntry[] = [];
    const exact: string[] = [];
    if (values.preflight !== undefined) {
      raw.push({ key: STATE_PREFLIGHT, value: values.preflight });
      exact.push(STATE_PREFLIGHT);
    }
    if (values.actual !== undefined) {
      raw.push({ key: STATE_ACTUAL, value: values.actual });
      exact.push(STATE_ACTUAL);
    }
    addMap({ comment, source: stateVar, variable, entries: entries(raw) }, exact);
    addHeaders.push({ name: header, value: variable });
  };

  const anyOrigin = policy.origins.kind === 'any' && !policy.credentials;
  const allowOrigin = anyOrigin ? nginxString('*') : REQUEST_ORIGIN;
  byState(
    'acao',
    'Access-Control-Allow-Origin',
    { preflight: allowOrigin, actual: allowOrigin },
    [anyOrigin ? 'Access-Control-Allow-Origin: * (any origin, no credentials).' : 'Access-Control-Allow-Origin: the request\'s Origin, once it matched above.'],
  );
  if (policy.credentials) {
    byState('acac', 'Access-Control-Allow-Credentials', { preflight: 'true', actual: 'true' }, ['Access-Control-Allow-Credentials.']);
  }

  const listHeaderMap = (suffix: string, header: string, h: ListHeader, requestVariable: string, requestName: string) => {
    const d = listDecision(h, requestVariable);
    if (d.plain === undefined && d.reflected === undefined) return;
    if (d.reflected === undefined) {
      byState(suffix, header, { preflight: d.plain! }, [`${header} (preflights only).`]);
      return;
    }
    // With credentials `*` cannot be sent: the request's own header is reflected after the listed
    // names, only when it is non-empty.
    const variable = v(suffix);
    const raw: RawEntry[] = [{ key: regexKey(`^${STATE_PREFLIGHT}:.`), value: d.reflected }];
    if (d.plain !== undefined) raw.push({ key: regexKey(`^${STATE_PREFLIGHT}:`), value: d.plain });
    addMap(
      {
        comment: [
          `${header} (preflights only). With credentials, "*" is no wildcard for browsers:`,
          `a non-empty ${requestName} is reflected after the listed names instead.`,
        ],
        source: nginxString(`${stateVar}:${requestVariable}`),
        variable,
        entries: entries(raw),
      },
      [],
    );
    addHeaders.push({ name: header, value: variable });
  };
  listHeaderMap('acam', 'Access-Control-Allow-Methods', policy.allowMethods, REQUEST_METHOD_HEADER, 'Access-Control-Request-Method');
  listHeaderMap('acah', 'Access-Control-Allow-Headers', policy.allowHeaders, REQUEST_HEADERS_HEADER, 'Access-Control-Request-Headers');

  if (policy.maxAge !== null) {
    byState('acma', 'Access-Control-Max-Age', { preflight: nginxString(String(policy.maxAge)) }, ['Access-Control-Max-Age (preflights only).']);
  }
  if (policy.privateNetwork) {
    const variable = v('acapn');
    addMap(
      {
        comment: [
          'Access-Control-Allow-Private-Network, on preflights that sent exactly',
          'Access-Control-Request-Private-Network: true (a regex key: string keys ignore case).',
        ],
        source: nginxString(`${stateVar}:${REQUEST_PNA_HEADER}`),
        variable,
        entries: entries([{ key: regexKey(`^${STATE_PREFLIGHT}:true$`), value: 'true' }]),
      },
      [],
    );
    addHeaders.push({ name: 'Access-Control-Allow-Private-Network', value: variable });
  }
  if (policy.exposeHeaders.length > 0) {
    byState('aceh', 'Access-Control-Expose-Headers', { actual: literal(policy.exposeHeaders.join(', ')) }, [
      'Access-Control-Expose-Headers (actual requests only).',
    ]);
  }
  addHeaders.push({ name: 'Vary', value: routes ? varyVar : VARY_ORIGIN });

  // add_header lines in the order of CORS_RESPONSE_HEADERS, Vary last.
  const order = (name: string) => {
    const i = (CORS_RESPONSE_HEADERS as readonly string[]).indexOf(name);
    return i < 0 ? CORS_RESPONSE_HEADERS.length : i;
  };
  addHeaders.sort((a, b) => order(a.name) - order(b.name));

  return {
    view: {
      name: policy.name,
      file: `${policy.name}.conf`,
      maps,
      returns: [
        { variable: stateVar, state: STATE_PREFLIGHT, status: 204 },
        { variable: stateVar, state: STATE_REFUSED, status: 403 },
      ],
      addHeaders,
      hideHeaders: [...CORS_RESPONSE_HEADERS],
      pathScoped: routes !== null,
      governed: (routes ?? []).map((r) => ({ prefix: r.prefix, except: r.excluded.length > 0 ? ` (except ${r.excluded.join(', ')}: another policy's)` : '' })),
    },
    exactKeys,
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

export function buildNginxView(set: PolicySet): NginxView {
  const shared = sharedMaps();
  const built = set.policies.map((p) => policyView(p, prefixRoutes(set, p, 'nginx', false)));
  const map = chooseMapHashSettings([...shared.exactKeys, ...built.flatMap((b) => b.exactKeys)]);
  const mapHash: NginxDirective[] = [];
  if (map.bucketSize !== NGINX_MAP_HASH_DEFAULTS.bucketSize) mapHash.push({ line: `map_hash_bucket_size ${map.bucketSize};` });
  if (map.maxSize !== NGINX_MAP_HASH_DEFAULTS.maxSize) mapHash.push({ line: `map_hash_max_size ${map.maxSize};` });
  const variableCount = shared.maps.length + built.reduce((n, b) => n + b.view.maps.length, 0);
  const bucket = variablesBucketSize(variableCount);
  const variablesHash: NginxDirective[] = bucket === null ? [] : [{ line: `variables_hash_bucket_size ${bucket};` }];
  return {
    sharedMaps: shared.maps,
    policies: built.map((b) => b.view),
    setsMapHash: mapHash.length > 0,
    mapHash,
    setsVariablesHash: variablesHash.length > 0,
    variablesHash,
    variableCount,
    pathScoped: built.some((b) => b.view.pathScoped),
  };
}
