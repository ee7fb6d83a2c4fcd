// Unit tests of the nginx view model: every decision buildNginxView makes, checked without nginx.
// A small interpreter of the view (nginx's quoted-string reader, map lookup order, variable
// interpolation, if/return, add_header's "empty value adds nothing") replays the request matrix of
// the real-server suite and compares each answer with the reference evaluator.
import { describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../../src/compile.js';
import { evaluate, type CorsRequest } from '../../../src/model/evaluate.js';
import { matcherRegex } from '../../../src/model/regex.js';
import { CORS_RESPONSE_HEADERS, type PolicySet } from '../../../src/model/types.js';
import { buildPlan } from '../../../src/plan/index.js';
import { allBuildOptimally, chooseMapHashSettings, elementSize, hashKey, NGINX_MAP_HASH_DEFAULTS, nginxTableSize } from '../../../src/targets/nginx/hash.js';
import {
  buildNginxView,
  MAX_VARIABLE_NAME,
  SYSTEM_CA_BUNDLE,
  nginxString,
  variableName,
  variablesBucketSize,
  VARIABLES_WITHIN_DEFAULTS,
  type NginxMap,
  type NginxPolicyView,
  type NginxView,
} from '../../../src/targets/nginx/view.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { compilePolicy } from '../../harness/suite.js';
import { casesFor } from '../../harness/matrix.js';

const compile = (yaml: string): PolicySet => compilePolicy(yaml);

const fixture = () => compile(SERVER_POLICY_FILE);
const one = (body: string, name = 'api') => compile(`version: 1\npolicies:\n  ${name}:\n${body}`);

// --- a tiny nginx ---------------------------------------------------------------------------------

/** What nginx's configuration reader makes of a double-quoted token (ngx_conf_read_token). */
function readQuoted(token: string): string {
  expect(token.startsWith('"') && token.endsWith('"'), token).toBe(true);
  const body = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') throw new Error(`unescaped quote in ${token}`);
    if (c === '\\') {
      const n = body[i + 1];
      if (n === '"' || n === "'" || n === '\\') {
        out += n;
        i++;
        continue;
      }
      if (n === 't' || n === 'r' || n === 'n') {
        out += { t: '\t', r: '\r', n: '\n' }[n];
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}

const unquote = (token: string) => (token.startsWith('"') ? readQuoted(token) : token);

class TinyNginx {
  private readonly maps = new Map<string, NginxMap>();
  private readonly cache = new Map<string, string>();

  constructor(
    view: NginxView,
    private readonly request: CorsRequest,
  ) {
    for (const m of [...view.sharedMaps, ...view.policies.flatMap((p) => p.maps)]) {
      expect(this.maps.has(m.variable), `duplicate variable ${m.variable}`).toBe(false);
      this.maps.set(m.variable, m);
    }
  }

  variable(name: string): string {
    const header = /^\$http_(.+)$/.exec(name);
    if (header) return this.request.headers[header[1]!.replace(/_/g, '-')] ?? '';
    if (name === '$request_method') return this.request.method;
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const map = this.maps.get(name);
    if (!map) throw new Error(`unknown variable ${name}`);
    const value = this.lookup(map);
    this.cache.set(name, value);
    return value;
  }

  /** A complex value: text with $variables. */
  interpolate(text: string): string {
    return text.replace(/\$[a-z_][a-z0-9_]*/g, (v) => this.variable(v));
  }

  /** nginx's map: exact keys (case-insensitive hash) first, then regexes in order, then default. */
  private lookup(map: NginxMap): string {
    const source = this.interpolate(unquote(map.source));
    const keyed = map.entries.map((e) => ({ key: e.key.trimEnd(), value: e.value }));
    const def = keyed.find((e) => e.key === 'default');
    const exact = keyed.filter((e) => e.key !== 'default' && !unquote(e.key).startsWith('~'));
    const regex = keyed.filter((e) => e.key !== 'default' && unquote(e.key).startsWith('~'));
    // hostnames: a "*.suffix" key matches a source that ends in ".suffix" after one or more characters.
    const wildcardHit = (e: { key: string }) => {
      const k = unquote(e.key).toLowerCase();
      return map.hostnames === true && k.startsWith('*.') && source.toLowerCase().endsWith(k.slice(1)) && source.length > k.length - 1;
    };
    const regexHit = (e: { key: string }) => {
      const m = new RegExp(unquote(e.key).slice(1)).exec(source);
      // nginx stores a named capture in the variable of that name.
      for (const [name, value] of Object.entries(m?.groups ?? {})) this.cache.set(`$${name}`, value ?? '');
      return m !== null;
    };
    const hit =
      exact.find((e) => !unquote(e.key).startsWith('*.') && unquote(e.key).toLowerCase() === source.toLowerCase()) ??
      exact.find(wildcardHit) ??
      regex.find(regexHit) ??
      def;
    return hit ? this.interpolate(unquote(hit.value)) : '';
  }

  /** The policy file: if/return in order, else forwarded; then add_header (an empty value adds none). */
  respond(p: NginxPolicyView): { status: number | 'upstream'; headers: Record<string, string> } {
    let status: number | 'upstream' = 'upstream';
    for (const r of p.returns) {
      if (this.variable(r.variable) === r.state) {
        status = r.status;
        break;
      }
    }
    const headers: Record<string, string> = {};
    for (const h of p.addHeaders) {
      const value = h.value.startsWith('$') || h.value.startsWith('"') ? this.interpolate(unquote(h.value)) : h.value;
      if (value === '') continue;
      expect(headers[h.name], `${h.name} added twice`).toBeUndefined();
      headers[h.name] = value;
    }
    return { status, headers };
  }
}

// --- the view against the evaluator ---------------------------------------------------------------

describe('nginx view: interpreted, it answers every request of the server matrix as the evaluator does', () => {
  const set = fixture();
  const view = buildNginxView(buildPlan(set));
  for (const policy of set.policies) {
    it(`policy ${policy.name}`, () => {
      const pv = view.policies.find((p) => p.name === policy.name)!;
      const cases = casesFor(SAMPLES[policy.name]!).concat([
        { name: 'preflight, empty ACRH', method: 'OPTIONS', path: '/', headers: { origin: SAMPLES[policy.name]!.allowed[0]!, 'access-control-request-method': 'GET', 'access-control-request-headers': '' } },
        { name: 'preflight, PNA TRUE', method: 'OPTIONS', path: '/', headers: { origin: SAMPLES[policy.name]!.allowed[0]!, 'access-control-request-method': 'GET', 'access-control-request-private-network': 'TRUE' } },
        { name: 'OPTIONS, empty Origin', method: 'OPTIONS', path: '/', headers: { origin: '', 'access-control-request-method': 'GET' } },
      ]);
      for (const c of cases) {
        const req: CorsRequest = { method: c.method, headers: c.headers };
        const want = evaluate(policy, req);
        const got = new TinyNginx(view, req).respond(pv);
        const label = `${c.name} ${JSON.stringify(c.headers)}`;
        expect(got.status, label).toBe(want.status);
        const cors = Object.fromEntries(Object.entries(got.headers).filter(([k]) => k !== 'Vary'));
        expect(cors, label).toEqual(want.headers);
        expect(got.headers.Vary, label).toBe('Origin');
      }
    });
  }
});

// --- names ------------------------------------------------------------------------------------------

describe('nginx view: variable names', () => {
  it('are $cors_<policy>_<suffix>, - written _, unique across policies, short enough for nginx', () => {
    const view = buildNginxView(buildPlan(fixture()));
    const all = [...view.sharedMaps, ...view.policies.flatMap((p) => p.maps)].map((m) => m.variable);
    expect(new Set(all).size).toBe(all.length);
    for (const p of view.policies) {
      const prefix = `$cors_${p.name.replace(/-/g, '_')}_`;
      for (const m of p.maps) {
        expect(m.variable.startsWith(prefix), m.variable).toBe(true);
        expect(m.variable.slice(prefix.length)).toMatch(/^[a-z]+$/);
        expect(m.variable.length - 1).toBeLessThanOrEqual(MAX_VARIABLE_NAME);
      }
    }
    for (const m of view.sharedMaps) expect(m.variable).toMatch(/^\$cors_[a-z]+$/);
    expect(MAX_VARIABLE_NAME).toBeLessThan(47); // nginx 1.22: "could not build variables_hash" from 47 bytes
  });

  it('the longest policy name (32 characters) keeps every variable within the limit', () => {
    const name = 'a-very-long-policy-name-abcdefgh';
    expect(name).toHaveLength(32);
    const set = one(
      `    origins: [https://app.example.com]\n    credentials: true\n    methods: ["*"]\n    allowHeaders: ["*", Authorization]\n    exposeHeaders: [X-Id]\n    maxAge: 60\n    privateNetwork: true\n`,
      name,
    );
    const pv = buildNginxView(buildPlan(set)).policies[0]!;
    expect(pv.maps.map((m) => m.variable)).toEqual(
      ['state', 'acao', 'acac', 'acam', 'acah', 'acma', 'aceh', 'acapn'].map((s) => `$cors_a_very_long_policy_name_abcdefgh_${s}`),
    );
    for (const m of pv.maps) expect(m.variable.length - 1).toBeLessThanOrEqual(MAX_VARIABLE_NAME);
  });

  it('policies a-b and a never share a variable', () => {
    const set = compile('version: 1\npolicies:\n  a:\n    origins: [https://a.test]\n  a-b:\n    origins: [https://b.test]\n  a-state:\n    origins: [https://c.test]\n');
    const all = buildNginxView(buildPlan(set)).policies.flatMap((p) => p.maps.map((m) => m.variable));
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses what could never be a valid nginx variable', () => {
    expect(() => variableName('Bad_name', 'acao')).toThrow();
    expect(() => variableName('api', 'ac_ao')).toThrow();
    expect(variableName('my-api', 'acao')).toBe('$cors_my_api_acao');
  });
});

// --- quoting ----------------------------------------------------------------------------------------

describe('nginx view: quoting', () => {
  it('nginxString survives nginx\'s reader unchanged, keeping regexes readable', () => {
    for (const s of ['', 'plain', 'a"b', "a'b", '\\.', '\\\\.', 'end\\', '\\t\\n\\r', '\\"', '^https://x\\.y$', '{1,5};', '\\\\\\"']) {
      expect(readQuoted(nginxString(s)), s).toBe(s);
    }
    expect(nginxString('^https://a\\.example\\.com$')).toBe('"^https://a\\.example\\.com$"');
    expect(() => nginxString('a\nb')).toThrow();
  });

  it('regex keys are quoted, ~-prefixed (case-sensitive) and exactly matcherRegex(); exact origins are hashed string keys', () => {
    const set = one(
      "    origins:\n      - https://app.example.com\n      - https://*.example.com\n      - http://localhost:*\n      - regex: '^https://[a-z]{1,8}\\.example\\.dev$'\n",
    );
    const maps = buildNginxView(buildPlan(set)).policies[0]!.maps;
    const state = maps.find((m) => m.variable === '$cors_api_state')!;
    expect(state.source).toBe('$http_origin');
    const keys = state.entries.map((e) => e.key.trimEnd());
    const matchers = set.policies[0]!.origins.kind === 'list' ? set.policies[0]!.origins.matchers : [];
    expect(keys).toContain('"https://app.example.com"');
    // The subdomain wildcard is no regex key: a hostnames map finds it by hash.
    for (const m of matchers.filter((m) => m.kind === 'regex' || (m.kind === 'pattern' && !m.subdomains))) {
      expect(keys).toContain(nginxString(`~${matcherRegex(m)}`));
    }
    for (const k of keys.filter((k) => k.startsWith('"~'))) expect(k.startsWith('"~*')).toBe(false);
    expect(keys.filter((k) => k.startsWith('"~'))).toHaveLength(3); // localhost:*, the regex, the Origin split
    expect(keys.at(-1)).toMatch(/^"~\^\(\?<cors_wscheme>/); // the split regex is the last one tried
    expect(state.entries.at(-1)!.value).toBe('$cors_api_wild');
    const wild = maps.find((m) => m.variable === '$cors_api_wild')!;
    expect(wild.hostnames).toBe(true);
    expect(wild.entries.map((e) => [e.key.trimEnd(), e.value])).toEqual([
      ['default', '$cors_refused'],
      ['"*.example.com.p.https"', '$cors_allowed'],
    ]);
    expect(keys.some((k) => k.includes('app\\.example\\.com'))).toBe(false); // the exact origin is not a regex
    expect(keys.find((k) => k.includes('{1,8}'))).toBe('"~^https://[a-z]{1,8}\\.example\\.dev$"');
  });

  it('a "$" in a literal header value is refused rather than emitted as a variable', () => {
    const set = one('    origins: [https://a.test]\n    exposeHeaders: [X-Id]\n');
    const p = set.policies[0]!;
    const hacked: PolicySet = { version: 1, policies: [{ ...p, exposeHeaders: ['X-$host'] }] };
    expect(() => buildNginxView(buildPlan(hacked))).toThrow(/\$/);
  });
});

// --- header decisions -------------------------------------------------------------------------------

const headerNames = (pv: NginxPolicyView) => pv.addHeaders.map((h) => h.name);
const mapOf = (pv: NginxPolicyView, suffix: string) => pv.maps.find((m) => m.variable.endsWith(`_${suffix}`));
const entryValues = (m: NginxMap | undefined) => Object.fromEntries((m?.entries ?? []).map((e) => [e.key.trimEnd(), e.value]));

describe('nginx view: which headers exist and their values', () => {
  it('a header the policy never sends has neither a map nor an add_header line', () => {
    const pv = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    methods: []\n'))).policies[0]!;
    expect(headerNames(pv)).toEqual(['Access-Control-Allow-Origin', 'Vary']);
    expect(pv.maps.map((m) => m.variable)).toEqual(['$cors_api_state', '$cors_api_acao']);
  });

  it('every header is added with always; Vary: Origin on every response; all 7 upstream headers hidden', () => {
    const view = buildNginxView(buildPlan(fixture()));
    for (const pv of view.policies) {
      expect(pv.addHeaders.at(-1)).toEqual({ name: 'Vary', value: 'Origin' });
      expect(pv.hideHeaders).toEqual([...CORS_RESPONSE_HEADERS]);
      // origins "*" refuses no Origin (the plan's answers.refused is null): no 403 line.
      const any = fixture().policies.find((p) => p.name === pv.name)!.origins.kind === 'any';
      expect(pv.returns.map((r) => [r.state, r.status])).toEqual(any ? [['preflight', 204]] : [['preflight', 204], ['refused', 403]]);
    }
    const body = generate(fixture(), 'nginx').find((f) => f.path === 'creds.conf')!.body;
    const adds = body.split('\n').filter((l) => l.startsWith('add_header'));
    expect(adds.length).toBeGreaterThan(1);
    for (const l of adds) expect(l).toMatch(/ always;$/);
    // if holds return and nothing else.
    expect(body).toMatch(/if \(\$cors_creds_state = preflight\) \{\n {4}return 204;\n\}/);
    expect(body).not.toMatch(/^add_header Content-/im); // a 204 carries no Content-Length (RFC 9110 §8.6)
  });

  it('maxAge 0 is sent ("0"); no maxAge, no header', () => {
    const zero = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    maxAge: 0\n'))).policies[0]!;
    expect(entryValues(mapOf(zero, 'acma'))).toEqual({ preflight: '"0"' });
    const none = buildNginxView(buildPlan(one('    origins: [https://a.test]\n'))).policies[0]!;
    expect(mapOf(none, 'acma')).toBeUndefined();
    expect(headerNames(none)).not.toContain('Access-Control-Max-Age');
  });

  it('credentials: Allow-Credentials true on preflights and actual requests; none without', () => {
    const pv = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    credentials: true\n'))).policies[0]!;
    expect(entryValues(mapOf(pv, 'acac'))).toEqual({ preflight: '"true"', actual: '"true"' });
    expect(entryValues(mapOf(pv, 'acao'))).toEqual({ preflight: '$http_origin', actual: '$http_origin' });
    expect(mapOf(buildNginxView(buildPlan(one('    origins: [https://a.test]\n'))).policies[0]!, 'acac')).toBeUndefined();
  });

  it('credentials with "*": the request\'s Access-Control-Request-* is reflected after the listed names', () => {
    const pv = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    credentials: true\n    methods: [GET, "*"]\n    allowHeaders: ["*", Authorization]\n'))).policies[0]!;
    const acam = mapOf(pv, 'acam')!;
    expect(acam.source).toBe('"$cors_api_state:$http_access_control_request_method"');
    expect(entryValues(acam)).toEqual({
      '"~^preflight:."': '"GET, $http_access_control_request_method"',
      '"~^preflight:"': '"GET"',
    });
    expect(entryValues(mapOf(pv, 'acah'))).toEqual({
      '"~^preflight:."': '"Authorization, $http_access_control_request_headers"',
      '"~^preflight:"': '"Authorization"',
    });
    // Nothing listed: the request's value alone, and no header when it is empty.
    const bare = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    credentials: true\n    methods: ["*"]\n    allowHeaders: ["*"]\n'))).policies[0]!;
    expect(entryValues(mapOf(bare, 'acah'))).toEqual({ '"~^preflight:."': '$http_access_control_request_headers' });
  });

  it('"*" policy: Allow-Origin is a literal *, every Origin but none is allowed', () => {
    const pv = buildNginxView(buildPlan(one('    origins: "*"\n    methods: ["*"]\n    allowHeaders: ["*", Authorization]\n'))).policies[0]!;
    expect(entryValues(mapOf(pv, 'acao'))).toEqual({ preflight: '"*"', actual: '"*"' });
    expect(entryValues(pv.maps[0])).toEqual({ default: '$cors_allowed', '""': '""' });
    expect(entryValues(mapOf(pv, 'acam'))).toEqual({ preflight: '"*"' });
    expect(entryValues(mapOf(pv, 'acah'))).toEqual({ preflight: '"*, Authorization"' });
  });

  it('Allow-Private-Network only with privateNetwork, only for a request value of exactly "true"', () => {
    const pv = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    privateNetwork: true\n'))).policies[0]!;
    expect(entryValues(mapOf(pv, 'acapn'))).toEqual({ '"~^preflight:true$"': '"true"' });
    expect(mapOf(buildNginxView(buildPlan(one('    origins: [https://a.test]\n'))).policies[0]!, 'acapn')).toBeUndefined();
  });

  it('Expose-Headers on actual requests only', () => {
    const pv = buildNginxView(buildPlan(one('    origins: [https://a.test]\n    exposeHeaders: [X-Request-Id, X-Total]\n'))).policies[0]!;
    expect(entryValues(mapOf(pv, 'aceh'))).toEqual({ actual: '"X-Request-Id, X-Total"' });
  });
});

// --- hash sizes -------------------------------------------------------------------------------------

describe('nginx view: map and variables hash settings', () => {
  it('hashKey is ngx_hash_key_lc on 64 bits; elementSize is NGX_HASH_ELT_SIZE', () => {
    for (const s of ['', 'https://App.Example.com', 'x'.repeat(300)]) {
      let k = 0n;
      for (const b of Buffer.from(s, 'latin1')) k = (k * 31n + BigInt(b >= 65 && b <= 90 ? b + 32 : b)) & ((1n << 64n) - 1n);
      expect(hashKey(s)).toEqual([Number(k >> 32n), Number(k & 0xffffffffn)]);
    }
    expect(elementSize('')).toBe(16);
    expect(elementSize('https://app.example.com')).toBe(8 + 32);
  });

  it('small policies keep nginx defaults: no map_hash_* line', () => {
    const view = buildNginxView(buildPlan(fixture()));
    expect(view.setsMapHash).toBe(false);
    expect(view.mapHash).toEqual([]);
    expect(generate(fixture(), 'nginx')[0]!.body).not.toMatch(/^map_hash/m);
  });

  it('many exact origins raise map_hash_* to values under which nginx builds an optimal table (whole search replayed)', () => {
    const origins = Array.from({ length: 3000 }, (_, i) => `https://t${i}.example.com`);
    const settings = chooseMapHashSettings([origins]);
    expect(settings).not.toEqual(NGINX_MAP_HASH_DEFAULTS);
    expect(allBuildOptimally([origins], settings)).toBe(true);
    expect(allBuildOptimally([origins], NGINX_MAP_HASH_DEFAULTS)).toBe(false);
    const set = one(`    origins:\n${origins.map((o) => `      - ${o}`).join('\n')}\n`);
    const view = buildNginxView(buildPlan(set));
    const lines = view.mapHash.map((d) => d.line);
    if (settings.bucketSize !== 64) expect(lines).toContain(`map_hash_bucket_size ${settings.bucketSize};`);
    if (settings.maxSize !== 2048) expect(lines).toContain(`map_hash_max_size ${settings.maxSize};`);
    // Written before every map of http.conf.
    const http = generate(set, 'nginx')[0]!.body;
    expect(http.indexOf('map_hash_')).toBeLessThan(http.indexOf('\nmap '));
  });

  it('the chosen settings build every map, and are the defaults exactly when the defaults build', () => {
    const shapes = [(i: number) => `https://tenant-${i + 1}.customers.example.com`, (i: number) => `http://a${i}.io`, (i: number) => `https://${(i * 7919).toString(36)}.example.org:${8000 + (i % 100)}`];
    for (const shape of shapes) {
      for (const n of [5, 300, 1000, 2500, 10003]) {
        const maps = [Array.from({ length: n }, (_, i) => shape(i)), ['https://a.test', 'https://b.test']];
        const settings = chooseMapHashSettings(maps);
        expect(allBuildOptimally(maps, settings), `${shape(0)} × ${n}: ${JSON.stringify(settings)}`).toBe(true);
        expect(settings === NGINX_MAP_HASH_DEFAULTS, `${shape(0)} × ${n}`).toBe(allBuildOptimally(maps, NGINX_MAP_HASH_DEFAULTS));
      }
    }
  });

  it("nginxTableSize is ngx_hash_init's search, as nginx computes it on 64-bit integers", () => {
    // ngx_hash.c (1.22): start = nelts / ((bucket_size - 8) / 16), then every size up to max_size,
    // key_hash % size, the first size where no bucket holds more than bucket_size - 8 bytes.
    const nginxSize = (keys: string[], bucketSize: number, maxSize: number): number | null => {
      const hashes = keys.map((key) => {
        let k = 0n;
        for (const b of Buffer.from(key, 'latin1')) k = (k * 31n + BigInt(b >= 65 && b <= 90 ? b + 32 : b)) & ((1n << 64n) - 1n);
        return k;
      });
      const room = bucketSize - 8;
      if (keys.some((k) => elementSize(k) > room)) return null;
      const start = Math.floor(keys.length / Math.floor(room / 16)) || 1;
      for (let size = start; size <= maxSize; size++) {
        const test = new Array<number>(size).fill(0);
        if (hashes.every((h, i) => (test[Number(h % BigInt(size))]! += elementSize(keys[i]!)) <= room)) return size;
      }
      return null;
    };
    const keys = Array.from({ length: 700 }, (_, i) => `https://t${(i * 104729) % 100003}.Example.com`);
    const sizes = new Set<number | null>();
    for (const [bucketSize, maxSize] of [[64, 2048], [64, 4096], [128, 512], [128, 1024], [256, 300], [256, 2048], [512, 2048], [1024, 2048]] as const) {
      const expected = nginxSize(keys, bucketSize, maxSize);
      sizes.add(expected);
      expect(nginxTableSize(keys, { bucketSize, maxSize }), `${bucketSize}/${maxSize}`).toBe(expected);
      expect(allBuildOptimally([keys], { bucketSize, maxSize }), `${bucketSize}/${maxSize}`).toBe(expected !== null);
    }
    expect(sizes.has(null) && sizes.size > 3).toBe(true); // warnings and several table sizes were compared
  });

  it('one origin longer than a default bucket raises map_hash_bucket_size', () => {
    const long = `https://${'a'.repeat(60)}.example.com`;
    expect(allBuildOptimally([[long]], NGINX_MAP_HASH_DEFAULTS)).toBe(false);
    expect(chooseMapHashSettings([[long]]).bucketSize).toBeGreaterThan(64);
  });

  it('variables_hash_bucket_size only once the file defines more variables than the defaults hold', () => {
    expect(variablesBucketSize(VARIABLES_WITHIN_DEFAULTS)).toBeNull();
    expect(variablesBucketSize(VARIABLES_WITHIN_DEFAULTS + 1)).toBe(128);
    const small = buildNginxView(buildPlan(one('    origins: [https://a.test]\n')));
    expect(small.variableCount).toBe(7); // 4 shared ($cors_allowed, $cors_refused, $cors_optallowed, $cors_optrefused), state, acao, acam (default methods)
    expect(small.setsVariablesHash).toBe(false);
    const big = buildNginxView(buildPlan(fixture()));
    expect(big.variableCount).toBe(4 + big.policies.reduce((n, p) => n + p.maps.length, 0));
    expect(big.variablesHash.map((d) => d.line)).toEqual(['variables_hash_bucket_size 128;']);
  });
});

describe('nginx target: output', () => {
  it('is deterministic and names http.conf first, then <name>.conf per policy in file order', () => {
    const a = generate(fixture(), 'nginx');
    const b = generate(fixture(), 'nginx');
    expect(a).toEqual(b);
    expect(a.map((f) => f.path)).toEqual(['http.conf', ...fixture().policies.map((p) => `${p.name}.conf`)]);
  });

  it('each policy file says where to include it and warns about add_header inheritance', () => {
    for (const f of generate(fixture(), 'nginx').slice(1)) {
      expect(f.body).toContain(`include DIR/${f.path};`);
      expect(f.body).toMatch(/add_header of its own/);
      expect(f.body).toMatch(/add_header_inherit/);
      expect(f.body).toMatch(/nested locations/);
    }
  });
});

describe('nginx view: proxy mode (docs/contract.md §6)', () => {
  const proxied = (body: string) => buildNginxView(buildPlan(one(body))).policies[0]!.proxy!;
  it('one location per path, rewriting under the base path; verification always on, the Debian bundle without ca', () => {
    const p = proxied('    origins: [https://a.test]\n    paths: [/weather/, /w2]\n    upstream:\n      url: https://api.example:8443/v1\n');
    expect(p.locations.map((l) => l.match)).toEqual(['^~ /weather/', '^~ /w2']);
    const d = p.locations[0]!.directives;
    expect(d).toContain('rewrite "^/weather//*((?!\\.\\.?(?:/|$)).*)$" "/v1/$1" break;');
    expect(d).toContain('proxy_pass https://api.example:8443;');
    expect(d).toContain('proxy_set_header Host "api.example:8443";');
    expect(d).toEqual(expect.arrayContaining(['proxy_ssl_server_name on;', 'proxy_ssl_verify on;', 'proxy_ssl_session_reuse off;']));
    expect(d).toContain(`proxy_ssl_trusted_certificate "${SYSTEM_CA_BUNDLE}";`);
    expect(d).toEqual(expect.arrayContaining(['proxy_set_header Cookie "";', 'proxy_set_header Authorization "";']));
    expect(d.join('\n')).not.toMatch(/verify off/);
    expect(p.locations[1]!.directives).toContain('proxy_redirect "https://api.example:8443/v1/" "/w2/";');
  });
  it('with credentials Cookie and Authorization pass; an http upstream has no TLS lines; ca replaces the bundle', () => {
    const c = proxied('    origins: [https://a.test]\n    credentials: true\n    upstream:\n      url: http://127.0.0.1:9000/\n');
    expect(c.locations.map((l) => l.match)).toEqual(['/']);
    expect(c.locations[0]!.directives.join('\n')).not.toMatch(/Cookie|Authorization|proxy_ssl/);
    const ca = proxied('    origins: [https://a.test]\n    upstream:\n      url: https://api.example/\n      ca: /etc/ssl/mine.pem\n');
    expect(ca.locations[0]!.directives).toContain('proxy_ssl_trusted_certificate "/etc/ssl/mine.pem";');
  });
  it('a policy without upstream has no proxy part', () => {
    expect(buildNginxView(buildPlan(one('    origins: [https://a.test]\n'))).policies[0]!.proxy).toBeNull();
  });
});
