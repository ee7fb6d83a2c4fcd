// The response plan agrees with the reference evaluator on the whole request matrix of the
// real-server suites (every fixture policy, its sample and attacker-shaped origins, every request
// kind), plus the request-header variants that decide reflected values.
import { describe, expect, it } from 'vitest';
import { evaluate, type CorsRequest } from '../../../src/model/evaluate.js';
import { buildPlan, routes } from '../../../src/plan/index.js';
import { casesFor } from '../../harness/matrix.js';
import { compilePolicy } from '../../harness/policy.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { interpret } from './interpret.js';

const set = compilePolicy(SERVER_POLICY_FILE, 'server-policies.yaml');
const plan = buildPlan(set);

/** Preflight variants: requested headers absent, empty, one, several; private network asked or not. */
function variants(origin: string): CorsRequest[] {
  const out: CorsRequest[] = [];
  for (const acrh of [undefined, '', 'x-custom', 'authorization,content-type,x-a'])
    for (const acrpn of [undefined, 'true', 'TRUE', 'false'])
      for (const acrm of ['PUT', 'GET', 'patch']) {
        const headers: Record<string, string> = { origin, 'access-control-request-method': acrm };
        if (acrh !== undefined) headers['access-control-request-headers'] = acrh;
        if (acrpn !== undefined) headers['access-control-request-private-network'] = acrpn;
        out.push({ method: 'OPTIONS', headers });
      }
  return out;
}

describe('the response plan answers as the reference evaluator', () => {
  for (const policy of set.policies) {
    it(`policy ${policy.name}`, () => {
      const p = plan.policies.find((x) => x.name === policy.name)!;
      const samples = SAMPLES[policy.name]!;
      const requests: CorsRequest[] = [
        ...casesFor(samples).map((c) => ({ method: c.method, headers: c.headers })),
        ...samples.allowed.flatMap(variants),
        ...samples.refused.flatMap(variants),
      ];
      let compared = 0;
      for (const req of requests) {
        const { matched: _matched, ...want } = evaluate(policy, req);
        expect(interpret(p, req), `${req.method} ${JSON.stringify(req.headers)}`).toEqual(want);
        compared++;
      }
      expect(compared).toBeGreaterThan(50);
    });
  }
});

describe('routes', () => {
  it('longest prefix first, file order among equal lengths', () => {
    const s = compilePolicy(
      `version: 1
policies:
  public:
    origins: "*"
    paths: [/public/, /]
  api:
    origins: [https://app.example.com]
    paths: [/api/, /api/admin/]
`,
    );
    expect(routes(s)).toEqual([
      { prefix: '/api/admin/', policy: 'api' },
      { prefix: '/public/', policy: 'public' },
      { prefix: '/api/', policy: 'api' },
      { prefix: '/', policy: 'public' },
    ]);
  });
});

describe('subdomainWildcards: the key lookup accepts exactly what each wildcard’s regex accepts', () => {
  const wild = compilePolicy(
    'version: 1\npolicies:\n  w:\n    origins: ["https://*.example.com", "https://*.a-b.c.example.org:8443", "http://*.w.example.net", "https://*.p.example.io:*", "https://exact.example.dev"]\n',
    'wild.yaml',
  );
  const lookup = buildPlan(wild).policies[0]!.origins;
  if (lookup.kind !== 'list') throw new Error('list expected');

  it('names the wildcards without a port wildcard, with their key and depth', () => {
    expect(lookup.subdomainWildcards).toEqual([
      { written: 'https://*.example.com', key: 'https://*.example.com', depth: 2 },
      { written: 'https://*.a-b.c.example.org:8443', key: 'https://*.a-b.c.example.org:8443', depth: 4 },
      { written: 'http://*.w.example.net', key: 'http://*.w.example.net', depth: 3 },
    ]);
  });

  it('on attacker-shaped origins too', () => {
    const origins = ['https://a.example.com', 'https://a.b.example.com', 'https://example.com', 'https://a.example.com:8443', 'https://a.example.com.evil.test', 'https://-a.example.com', 'http://a.example.com',
      'https://x.a-b.c.example.org:8443', 'https://x.a-b.c.example.org', 'https://x.b.c.example.org:8443', 'http://a.w.example.net', 'https://a.w.example.net', 'https://a_b.example.com', 'https://a.xexample.com'];
    for (const w of lookup.subdomainWildcards!) {
      const regex = new RegExp(lookup.regexes.find((r) => r.written === w.written)!.regex);
      for (const o of origins) {
        // The key as the plan defines it: scheme, one or more labels, then `depth` labels and a port.
        const cut = new RegExp(`^(https?)://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+((?:[^.:/]+\\.){${w.depth - 1}}[^.:/]+(?::[0-9]+)?)$`).exec(o);
        const viaKey = cut !== null && `${cut[1]}://*.${cut[2]}` === w.key;
        expect(viaKey, `${w.written} ${o}`).toBe(regex.test(o));
      }
    }
  });
});
