// The Apache target in the real Apache httpd (2.4.71 in CI): the shared server suite (every fixture
// policy on its own <VirtualHost> of one server, compared with the reference evaluator), a policy
// with 10,000 exact origins, and the include next to a site's own RewriteRule, ErrorDocument,
// <Location> access control and RequestHeader lines.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicyText, generate } from '../../src/compile.js';
import { evaluate, type CorsRequest } from '../../src/model/evaluate.js';
import type { Policy, PolicySet } from '../../src/model/types.js';
import { compareAnswer, describeDifference } from '../../src/verify/compare.js';
import { headerValues as rawHeaderValues } from '../../src/verify/headers.js';
import { casesFor, runMatrix, send, type RawResponse, type RequestCase } from '../harness/matrix.js';
import { compilePolicy } from '../harness/policy.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type RunningServer } from '../harness/process.js';
import { compileFixture, serverSuite, type ServerDriver, type Site } from '../harness/suite.js';
import { largeAllowListSuite, manyOrigin, MANY_ORIGINS } from '../harness/suite.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { startUpstream, type Upstream } from '../harness/upstream.js';
import { MODULES, MODULE_DIR, type Layout, ERROR_403_BODY, ERROR_404_BODY, LOCAL_BODY, vhost, writeApacheConfig, driver } from './apache.driver.js';

serverSuite(driver);

/** Writes the generated files of `set` and an httpd.conf for `sites` below a new directory. */
function prepare(set: PolicySet, sites: (Site & { layout: Layout })[], upstreamPort: number) {
  return prepareServerDir('apache', set, 'apache', (dir, corsDir) => writeApacheConfig({ dir, corsDir, sites, upstreamPort }));
}

const headerValues = (res: RawResponse, name: string): string[] => rawHeaderValues(res.rawHeaders, name);

/** The CORS headers and Vary of a response Apache produced itself (not the application), against the evaluator. */
function corsHeaderProblems(policy: Policy, c: RequestCase, res: RawResponse): string[] {
  const expected = evaluate(policy, { method: c.method, headers: c.headers } as CorsRequest);
  return compareAnswer(expected, res, 'exact').map(describeDifference);
}

largeAllowListSuite(driver, (ctx) => {
  it('compares exact origins as strings in -in lists of short directives, not one regex per origin', () => {
    const text = ctx().files['tenants.conf']!;
    expect(text).toContain(`'${manyOrigin(MANY_ORIGINS)}'`);
    expect(text).not.toMatch(/^SetEnvIf Origin "\^https:\/\/tenant-/m);
    // Bucketed by the first hex digit of the origin's MD5 (ap_expr md5()): each list holds only its bucket's origins.
    expect(text).toContain(`SetEnvIfExpr "md5(reqenv('CORSGEN_TENANTS_ORIGIN')) =~ /^(.)/" CORSGEN_TENANTS_OB=$1`);
    const lists = [...text.matchAll(/^SetEnvIfExpr "reqenv\('CORSGEN_TENANTS_OB'\) == '([0-9a-f])' && reqenv\('CORSGEN_TENANTS_ORIGIN'\) -in \{ \\\n((?:    '[^']+',? \\\n)+)  \}"/gm)];
    expect(lists.length).toBeGreaterThanOrEqual(MANY_ORIGINS / 100);
    expect(lists.length).toBeLessThanOrEqual(MANY_ORIGINS / 100 + 16);
    const listed = lists.flatMap(([, bucket, items]) => [...items!.matchAll(/'([^']+)'/g)].map(([, o]) => [bucket, o!] as const));
    expect(listed).toHaveLength(MANY_ORIGINS);
    for (const [bucket, o] of listed) expect(createHash('md5').update(o).digest('hex')[0], o).toBe(bucket);
    // Physical lines stay short, and so does each directive once Apache joins its continuation lines.
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThan(200);
    const directives = text.replace(/\\\n/g, '').split('\n');
    expect(Math.max(...directives.map((l) => l.length))).toBeLessThan(8192);
  });

  it('apache2 -t says nothing but Syntax OK, and the error log stays clean', () => {
    expect(ctx().syntax.output.trim()).toBe('Syntax OK');
    const log = readFileSync(join(ctx().dir, 'apache', 'logs', 'error.log'), 'utf8');
    expect(log.split('\n').filter((l) => /\[[a-z_0-9]+:(warn|error|crit|alert|emerg)\]/.test(l))).toEqual([]);
  });
});

describe("apache: the include next to the site's own configuration", () => {
  // Sites with a RewriteRule, RequestHeader unset Origin, ErrorDocument 403/404, a <Location> that
  // denies access and files Apache serves itself, below the CORS include (as its comment says).
  let set: PolicySet;
  let dir = '';
  let upstream: Upstream | undefined;
  let server: RunningServer | undefined;
  let ports: number[] = [];
  const policies = ['creds', 'wildcard', 'public'];
  const policy = (name: string) => set.policies.find((p) => p.name === name)!;

  beforeAll(async () => {
    set = compileFixture();
    ports = await freePorts(policies.length);
    upstream = await startUpstream();
    let configPath: string;
    ({ dir, configPath } = prepare(set, policies.map((p, i) => ({ policy: p, port: ports[i]!, layout: 'with-site-config' as const })), upstream.port));
    server = await checkAndStart(driver, { dir, configPath }, ports);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
  });

  const origins: Record<string, { allowed: string; refused?: string }> = {
    creds: { allowed: 'https://admin.example.com', refused: 'https://evil.test' },
    wildcard: { allowed: 'https://a.b.example.com', refused: 'https://example.com' },
    public: { allowed: 'https://anything.test' },
  };
  const preflightHeaders = (origin: string) => ({ origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-custom' });

  for (const [i, name] of policies.entries()) {
    const o = origins[name]!;

    it(`${name}: the site's own RewriteRule still forwards, with the CORS headers`, async () => {
      const c: RequestCase = { name: 'rewritten', method: 'GET', path: '/old/201', headers: { origin: o.allowed } };
      const id = `${name}-rewritten`;
      const res = await send(ports[i]!, c, id);
      expect(upstream!.seen.has(id)).toBe(true);
      expect(res.status).toBe(201);
      expect(corsHeaderProblems(policy(name), c, res)).toEqual([]);
    });

    it(`${name}: a preflight to a <Location> that denies access is answered 204 before access control`, async () => {
      const c: RequestCase = { name: 'private preflight', method: 'OPTIONS', path: '/private/file.txt', headers: preflightHeaders(o.allowed) };
      const res = await send(ports[i]!, c, `${name}-private-preflight`);
      expect(res.status).toBe(204);
      expect(res.body).toBe('');
      expect(headerValues(res, 'content-length')).toEqual([]);
      expect(corsHeaderProblems(policy(name), c, res)).toEqual([]);
    });

    for (const [path, status, body] of [
      ['/private/file.txt', 403, ERROR_403_BODY],
      ['/local/missing.txt', 404, ERROR_404_BODY],
      ['/local/file.txt', 200, LOCAL_BODY],
    ] as const) {
      it(`${name}: Apache's own ${status} (${path}) carries the CORS headers of an actual request`, async () => {
        const c: RequestCase = { name: 'local', method: 'GET', path, headers: { origin: o.allowed } };
        const id = `${name}-local-${status}`;
        const res = await send(ports[i]!, c, id);
        expect(upstream!.seen.has(id)).toBe(false);
        expect(res.status).toBe(status);
        expect(res.body).toBe(body);
        expect(corsHeaderProblems(policy(name), c, res)).toEqual([]);
        expect(headerValues(res, 'access-control-allow-origin')).toHaveLength(1);
      });
    }

    it(`${name}: without Origin, Apache's own 404 has no CORS header but Vary: Origin`, async () => {
      const c: RequestCase = { name: 'local no origin', method: 'GET', path: '/local/missing.txt', headers: {} };
      const res = await send(ports[i]!, c, `${name}-local-no-origin`);
      expect(res.status).toBe(404);
      expect(corsHeaderProblems(policy(name), c, res)).toEqual([]);
    });

    if (o.refused) {
      it(`${name}: a refused preflight gets the site's ErrorDocument 403 and no CORS header`, async () => {
        const c: RequestCase = { name: 'refused preflight', method: 'OPTIONS', path: '/status/200', headers: preflightHeaders(o.refused!) };
        const id = `${name}-refused`;
        const res = await send(ports[i]!, c, id);
        expect(upstream!.seen.has(id)).toBe(false);
        expect(res.status).toBe(403);
        expect(res.body).toBe(ERROR_403_BODY);
        expect(corsHeaderProblems(policy(name), c, res)).toEqual([]);
      });
    }
  }

  it('Apache logged no warning or error but the denials of the actual GETs to /private/ (the preflights never reached access control)', async () => {
    await server?.stop();
    const log = readFileSync(join(dir, 'apache', 'logs', 'error.log'), 'utf8');
    const problems = log.split('\n').filter((l) => /\[[a-z_0-9]+:(warn|error|crit|alert|emerg)\]/.test(l));
    const denied = problems.filter((l) => l.includes('AH01630: client denied by server configuration') && l.endsWith('/htdocs/private/file.txt'));
    expect(denied).toHaveLength(policies.length);
    expect(problems.filter((l) => !denied.includes(l))).toEqual([]);
  });
});

describe('apache: many subdomain wildcards, looked up by key (scheme://*.<base>[:port]) instead of one regex each', () => {
  // Bases of 2, 3 and 4 labels, with and without a port, a port wildcard and a user regex beside them.
  const WILDCARDS = [
    'https://*.example.com',
    'https://*.w1.example.net',
    'https://*.w2.example.net',
    'https://*.a-b.w3.example.org',
    'https://*.w4.example.net:8443',
    'http://*.w5.example.net',
    'https://*.w6.example.net',
    'https://*.w7.example.net',
    'https://*.xn--bcher-kva.example',
  ];
  const YAML = `version: 1\npolicies:\n  wild:\n    origins:\n${[...WILDCARDS.map((w) => `"${w}"`), '"https://*.any.example.io:*"', "{regex: '^https://pr-[0-9]{1,6}\\.preview\\.example\\.org$'}", 'https://exact.example.dev']
    .map((o) => `      - ${o}`)
    .join('\n')}\n    methods: [GET, PUT]\n    exposeHeaders: [X-Request-Id]\n`;
  const ALLOWED = [
    'https://a.example.com',
    'https://a.b.c.example.com',
    'https://x.w1.example.net',
    'https://9.a-b.w3.example.org',
    'https://x-y.z.w4.example.net:8443',
    'http://a.w5.example.net',
    'https://a.w7.example.net',
    'https://a.xn--bcher-kva.example',
    'https://a.any.example.io:1234',
    'https://pr-12.preview.example.org',
    'https://exact.example.dev',
  ];
  const REFUSED = [
    'https://example.com',
    'https://.example.com',
    'https://-a.example.com',
    'https://a_b.example.com',
    'https://a.example.com:443',
    'https://a.example.com.evil.test',
    'https://evilexample.com',
    'http://a.example.com',
    'https://a.w1.example.net.',
    'https://x.w4.example.net',
    'https://x.w4.example.net:8444',
    'https://a.w5.example.net',
    'https://a.w8.example.net',
    'https://a.b.w3.example.org',
    'https://w3.example.org',
    'https://a.example.com/',
    'https://A.example.com',
  ];
  let set: PolicySet;
  let dir = '';
  let upstream: Upstream | undefined;
  let server: RunningServer | undefined;
  let port = 0;

  beforeAll(async () => {
    set = compilePolicy(YAML, "wild.yaml");
    port = (await freePorts(1))[0]!;
    upstream = await startUpstream();
    let configPath: string;
    ({ dir, configPath } = prepare(set, [{ policy: 'wild', port, layout: 'plain' }], upstream.port));
    server = await checkAndStart(driver, { dir, configPath }, [port]);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    if (dir) removeDir(dir);
  });

  it('the wildcards without a port wildcard are keys in -in lists, one key regex per depth; the rest stay regexes', () => {
    const text = generate(set, 'apache').find((f) => f.path === 'wild.conf')!.contents;
    expect(text.match(/^SetEnvIfExpr .* CORSGEN_WILD_WK[0-9]=\$1:\/\/\*\.\$2$/gm)).toHaveLength(3);
    for (const w of WILDCARDS) expect(text).toContain(`'${w}'`);
    expect(text.match(/^SetEnvIfExpr "reqenv\('CORSGEN_WILD_ORIGIN'\) =~ m#.*" CORSGEN_WILD_MATCH=1$/gm)).toHaveLength(2);
  });

  it('every origin is answered as the reference evaluator says', async () => {
    const policy = set.policies[0]!;
    for (const o of ALLOWED) expect(evaluate(policy, { method: 'GET', headers: { origin: o } }).outcome, o).toBe('actual-allowed');
    for (const o of REFUSED) expect(evaluate(policy, { method: 'GET', headers: { origin: o } }).outcome, o).toBe('actual-refused');
    const result = await runMatrix(policy, port, upstream!, casesFor({ allowed: ALLOWED, refused: REFUSED }));
    console.log(`apache wildcard lookup: ${result.cases} request cases checked against the reference evaluator`);
    expect(result.mismatches).toEqual([]);
  });
});
