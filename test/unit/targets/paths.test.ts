// Path-scoped policies in the three targets' view models (docs/contract.md §2a), checked without the
// servers (test/servers/paths.*.test.ts runs them): the routes each policy gets, the order and
// content of the generated path tests, and the refusal of a prefix that escaped the checks.
import { describe, expect, it } from 'vitest';
import { generate } from '../../../src/compile.js';
import { normalizePolicy } from '../../../src/model/normalize.js';
import type { PolicySet } from '../../../src/model/types.js';
import { buildApacheView } from '../../../src/targets/apache/view.js';
import { buildCaddyView } from '../../../src/targets/caddy/view.js';
import { buildPlan } from '../../../src/plan/index.js';
import { buildNginxView } from '../../../src/targets/nginx/view.js';
import { checkedPrefix, fileHasPaths, prefixRegex, prefixRoutes } from '../../../src/targets/paths.js';
import { TARGET_NAMES } from '../../../src/targets/types.js';
import { SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { compilePolicy } from '../../harness/suite.js';
import { PATHS_POLICY_FILE } from '../../servers/paths.suite.js';

const set = compilePolicy(PATHS_POLICY_FILE);
const byName = (s: PolicySet, n: string) => s.policies.find((p) => p.name === n)!;

describe('prefixRoutes: each prefix minus the longer prefixes of the file’s other policies', () => {
  it('excludes only longer prefixes of other policies that extend it', () => {
    expect(prefixRoutes(set, byName(set, 'api'), 'nginx', false)).toEqual([
      { prefix: '/api/', excluded: ['/api/admin/'] },
      { prefix: '/v2/', excluded: [] },
    ]);
    expect(prefixRoutes(set, byName(set, 'admin'), 'nginx', false)).toEqual([{ prefix: '/api/admin/', excluded: [] }]);
    expect(prefixRoutes(set, byName(set, 'site'), 'nginx', false)).toEqual([{ prefix: '/', excluded: ['/api/admin/', '/public/', '/api/', '/v2/'] }]);
  });
  it('Caddy compares ignoring case, so /API/ADMIN/ takes /api/admin/x away from /api/ there only', () => {
    const s: PolicySet = {
      version: 1,
      policies: [normalizePolicy('a', { origins: ['https://a.example.com'], paths: ['/api/'] }), normalizePolicy('b', { origins: ['https://b.example.com'], paths: ['/API/ADMIN/'] })],
    };
    expect(prefixRoutes(s, s.policies[0]!, 'nginx', false)![0]!.excluded).toEqual([]);
    expect(prefixRoutes(s, s.policies[0]!, 'caddy', true)![0]!.excluded).toEqual(['/API/ADMIN/']);
  });
  it('a file without paths needs no path test at all', () => {
    const plain = compilePolicy(SERVER_POLICY_FILE);
    expect(fileHasPaths(plain)).toBe(false);
    expect(fileHasPaths(set)).toBe(true);
    for (const p of plain.policies) expect(prefixRoutes(plain, p, 'nginx', false)).toBeNull();
  });
  it('prefixRegex anchors and escapes', () => {
    expect(prefixRegex('/a.b+c/')).toBe('^/a\\.b\\+c/');
  });
});

describe('a prefix that escaped the checks is never emitted', () => {
  for (const bad of ['/a b/', '/a;b/', '/a"b/', '/a$x/', '/a{b}/', 'api/', '/a/../b/', '/a/./', '//a/', '/a%2F/', '/a\nb/', '/*/']) {
    it(`${JSON.stringify(bad)}: every target throws`, () => {
      expect(() => checkedPrefix(bad, 'nginx')).toThrow(/reached the nginx target unchecked/);
      const s: PolicySet = { version: 1, policies: [normalizePolicy('a', { origins: ['https://a.example.com'], paths: [bad] })] };
      for (const t of TARGET_NAMES) expect(() => generate(s, t)).toThrow(/unchecked/);
    });
  }
});

describe('nginx: a map on $uri per policy, longest prefix first', () => {
  const view = buildNginxView(buildPlan(set));
  const policy = (n: string) => view.policies.find((p) => p.name === n)!;
  it('the path map tries the longest prefixes first and gives Origin only for the policy’s own', () => {
    const api = policy('api');
    const pathMap = api.maps.find((m) => m.source === '$uri')!;
    expect(pathMap.variable).toBe('$cors_api_vary');
    expect(pathMap.entries.map((e) => [e.key.trim(), e.value])).toEqual([
      ['"~^/api/admin/"', '""'],
      ['"~^/api/"', 'Origin'],
      ['"~^/v2/"', 'Origin'],
    ]);
    const state = api.maps.find((m) => m.variable === '$cors_api_state')!;
    expect(state.source).toBe('$cors_api_vary');
    expect(state.entries.map((e) => [e.key.trim(), e.value])).toEqual([['"Origin"', '$cors_api_origin']]);
    expect(api.addHeaders.find((h) => h.name === 'Vary')!.value).toBe('$cors_api_vary');
  });
  it('a file without paths keeps its maps exactly as before (Vary: Origin on every response)', () => {
    const plain = buildNginxView(buildPlan(compilePolicy(SERVER_POLICY_FILE)));
    for (const p of plain.policies) {
      expect(p.pathScoped).toBe(false);
      expect(p.maps.some((m) => m.source === '$uri')).toBe(false);
      expect(p.addHeaders.find((h) => h.name === 'Vary')!.value).toBe('Origin');
    }
  });
  it('variable names stay short with the longest policy name', () => {
    const long = compilePolicy(`version: 1\npolicies:\n  a-very-long-policy-name-abcdefgh:\n    origins: [https://a.example.com]\n    paths: [/x/]\n`);
    for (const m of buildNginxView(buildPlan(long)).policies[0]!.maps) expect(m.variable.length).toBeLessThanOrEqual(47);
  });
});

describe('Apache: an IN flag set by mod_rewrite on the routed path', () => {
  const view = buildApacheView(set);
  const api = view.policies.find((p) => p.name === 'api')!;
  it('keeps the original request’s decision after an ErrorDocument redirect, then tests each prefix minus the longer ones', () => {
    expect(api.pathRules.map((r) => [r.conds, r.rule])).toEqual([
      [['%{ENV:REDIRECT_CORSGEN_API_IN} =1'], '^ - [E=CORSGEN_API_IN:1]'],
      [['%{ENV:REDIRECT_STATUS} ^$', '%{REQUEST_URI} "!^/api/admin/"'], '"^/api/" - [E=CORSGEN_API_IN:1]'],
      [['%{ENV:REDIRECT_STATUS} ^$'], '"^/v2/" - [E=CORSGEN_API_IN:1]'],
    ]);
  });
  it('answers preflights, removes and adds headers only where it governs', () => {
    for (const r of api.rewrites) expect(r.conds).toEqual(['%{ENV:CORSGEN_API_IN} =1']);
    expect(api.pathCondition).toBe(' env=CORSGEN_API_IN');
    for (const h of api.headers) expect(h.condition).toMatch(/^"expr=-n reqenv\('CORSGEN_API_[A-Z_]+'\) && -n reqenv\('CORSGEN_API_IN'\)"$/);
  });
  it('a file without paths keeps env= conditions and unconditional unset lines', () => {
    for (const p of buildApacheView(compilePolicy(SERVER_POLICY_FILE)).policies) {
      expect(p.pathRules).toEqual([]);
      expect(p.pathCondition).toBe('');
      for (const h of p.headers) expect(h.condition).toMatch(/^env=CORSGEN_/);
    }
  });
});

describe('Caddy: path matchers set one variable that every other matcher tests', () => {
  const view = buildCaddyView(set);
  const api = view.policies.find((p) => p.name === 'api')!;
  const pathVars = (p: typeof api) => p.vars.filter((v) => v.matcher.includes('-path-'));
  it('one path matcher per prefix, minus the longer prefixes, sets cors-<name>-in', () => {
    expect(api.matchers.filter((m) => m.name.includes('-path-')).map((m) => m.conditions)).toEqual([['path "/api/*"', 'not path "/api/admin/*"'], ['path "/v2/*"']]);
    expect(pathVars(api).map((v) => `${v.matcher} ${v.variable} ${v.value}`)).toEqual(['@cors-api-path-0 cors-api-in yes', '@cors-api-path-1 cors-api-in yes']);
  });
  it('answers and adds headers only where that variable is set: the allowed matcher and the preflight expression test it', () => {
    const allowed = api.matchers.find((m) => m.name === 'cors-api-allowed')!;
    expect(allowed.conditions[0]).toBe('vars cors-api-in yes');
    // The origin is tested by a matcher of another type (Caddy ORs the keys of one vars matcher).
    expect(allowed.conditions.slice(1).filter((c) => c.startsWith('vars '))).toEqual([]);
    const preflight = api.matchers.find((m) => m.name === 'cors-api-preflight')!;
    expect(preflight.conditions[0]).toMatch(/^expression `\{http\.vars\.cors-api-in\} == "yes" && /);
    expect(api.varyMatcher).toBe('@cors-api-in ');
  });
  it('origins "*": the variable alone decides', () => {
    const pub = view.policies.find((p) => p.name === 'public')!;
    expect(pathVars(pub).map((v) => v.value)).toEqual(['yes']);
    expect(pub.vars.filter((v) => v.variable !== 'cors-public-in')).toEqual([]);
    expect(pub.matchers.find((m) => m.name === 'cors-public-allowed')!.conditions).toEqual(['vars cors-public-in yes', 'header_regexp cors-public-origin Origin .']);
  });
  it('a file without paths: no path matcher, Vary on every response', () => {
    for (const p of buildCaddyView(compilePolicy(SERVER_POLICY_FILE)).policies) {
      expect(pathVars(p)).toEqual([]);
      expect(p.varyMatcher).toBe('');
    }
  });
});
