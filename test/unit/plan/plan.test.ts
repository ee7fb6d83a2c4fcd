// The response plan agrees with the reference evaluator on the whole request matrix of the
// real-server suites (every fixture policy, its sample and attacker-shaped origins, every request
// kind), plus the request-header variants that decide reflected values.
import { describe, expect, it } from 'vitest';
import { evaluate, type CorsRequest } from '../../../src/model/evaluate.js';
import { buildPlan, listText, routes } from '../../../src/plan/index.js';
import { casesFor } from '../../harness/matrix.js';
import { compilePolicy } from '../../harness/policy.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../../fixtures/server-policies.js';
import { interpret, underSuffix } from './interpret.js';

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

describe('subdomainsOf: the suffix a server may hash stands for exactly the entry’s regex', () => {
  const s = compilePolicy(
    `version: 1
policies:
  w:
    origins: ["https://*.example.com", "http://*.a-b.example.net:8443", "http://localhost:*", "https://*.any.example.org:*", {regex: '^https://x\\.example\\.io$'}]
`,
  );
  const regexes = (() => {
    const o = buildPlan(s).policies[0]!.origins;
    return o.kind === 'list' ? o.regexes : [];
  })();
  it('is set for *.host and *.host:port only', () => {
    expect(regexes.map((r) => r.subdomainsOf ?? null)).toEqual([
      { scheme: 'https', suffix: 'example.com' },
      { scheme: 'http', suffix: 'a-b.example.net:8443' },
      null,
      null,
      null,
    ]);
  });
  const origins = [
    'https://a.example.com', 'https://a.b.example.com', 'https://example.com', 'https://.example.com', 'https://a..example.com',
    'https://-a.example.com', 'https://a-.example.com', 'https://A.example.com', 'https://a_b.example.com', `https://${'a'.repeat(63)}.example.com`,
    `https://${'a'.repeat(64)}.example.com`, 'http://a.example.com', 'https://a.example.com:443', 'https://aexample.com', 'https://a.example.com.evil.net',
    'http://x.a-b.example.net:8443', 'http://x.a-b.example.net', 'http://x.a-b.example.net:84430', 'https://x.a-b.example.net:8443', 'http://x.y.a-b.example.net:8443',
    'https://a/b.example.com', 'https://a:1.example.com', 'https://a.example.com/', 'https://x.example.com\n',
  ];
  for (const r of regexes.filter((x) => x.subdomainsOf)) {
    it(r.written, () => {
      for (const o of origins) expect(underSuffix(r.subdomainsOf!, o), o).toBe(new RegExp(r.regex).test(o));
    });
  }
});

describe('proxy', () => {
  const s = compilePolicy(`version: 1
policies:
  open:
    origins: [https://app.example.com]
    upstream: { url: "https://api.example.net/v1" }
    paths: [/open/]
  creds:
    origins: [https://app.example.com]
    credentials: true
    upstream: { url: "https://api.example.net/" }
    paths: [/creds/]
  plain:
    origins: [https://app.example.com]
`);
  const plans = buildPlan(s).policies;
  it('forwards Cookie and Authorization only with credentials; none without upstream', () => {
    expect(plans.map((p) => p.proxy?.dropRequestHeaders ?? null)).toEqual([['Cookie', 'Authorization'], [], null]);
    expect(plans[0]!.proxy!.upstream.basePath).toBe('/v1/');
  });
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
    expect(buildPlan(s).pathScoped).toBe(true);
  });

  it('a file whose policies name no paths is not path-scoped (each governs every path where it is included)', () => {
    expect(plan.pathScoped).toBe(false);
    expect(buildPlan(compilePolicy('version: 1\npolicies:\n  a:\n    origins: [https://a.test]\n    paths: [/]\n')).pathScoped).toBe(false);
    expect(buildPlan(compilePolicy('version: 1\npolicies:\n  a:\n    origins: [https://a.test]\n    paths: [/, /x/]\n')).pathScoped).toBe(true);
  });
});

describe('listText: the joining rule of list headers', () => {
  it('listed names joined with ", ", then the request value as one more element', () => {
    expect(listText({ kind: 'list', listed: ['GET', 'PUT'], reflect: null })).toEqual({ alone: 'GET, PUT', beforeRequest: 'GET, PUT, ' });
    expect(listText({ kind: 'list', listed: [], reflect: 'Access-Control-Request-Headers' })).toEqual({ alone: null, beforeRequest: '' });
  });
});

describe('subdomain wildcards as parts (for hashed suffix lookups)', () => {
  const s = compilePolicy(
    `version: 1
policies:
  w:
    origins:
      - https://*.example.com
      - https://*.b.example.net:8443
      - "https://*.any.example.org:*"
      - "http://localhost:*"
      - regex: '^https://x\\.example\\.dev$'
`,
  );
  const lookup = buildPlan(s).policies[0]!.origins;
  const regexes = lookup.kind === 'list' ? lookup.regexes : [];
  const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  /** The set the parts describe, read from their documentation in src/plan/types.ts. */
  const inParts = (w: NonNullable<(typeof regexes)[number]['wildcard']>, origin: string) => {
    const m = /^(https?):\/\/([^:/]+)(?::([0-9]+))?$/.exec(origin);
    if (!m || m[1] !== w.scheme || (m[3] === undefined ? null : Number(m[3])) !== w.port) return false;
    const host = m[2]!;
    if (!host.endsWith(`.${w.suffix}`)) return false;
    return host.slice(0, -w.suffix.length - 1).split('.').every((l) => LABEL.test(l));
  };
  it('only subdomain wildcards with a fixed port carry parts', () => {
    expect(regexes.map((r) => r.wildcard ?? null)).toEqual([
      { scheme: 'https', suffix: 'example.com', port: null },
      { scheme: 'https', suffix: 'b.example.net', port: 8443 },
      null,
      null,
      null,
    ]);
  });
  it('the parts accept exactly what the regex accepts', () => {
    const hosts = ['a', 'a.b', '-a', 'a-', 'a_b', 'A', 'x'.repeat(63), 'x'.repeat(64), 'a..b', ''];
    for (const r of regexes.filter((x) => x.wildcard)) {
      const w = r.wildcard!;
      for (const scheme of ['https', 'http'])
        for (const port of ['', ':8443', ':443', ':1'])
          for (const h of hosts)
            for (const suffix of [w.suffix, `x${w.suffix}`, w.suffix.toUpperCase()]) {
              const origin = `${scheme}://${h}${h === '' ? '' : '.'}${suffix}${port}`;
              expect(inParts(w, origin), `${r.written} ${origin}`).toBe(new RegExp(r.regex).test(origin));
            }
    }
  });
});
