// Path-scoped policies (docs/contract.md §2a) in the real servers. One policy file: `public` (/public/, any
// origin), `api` (/api/ and /v2/, credentials from one origin), `admin` (/api/admin/, stricter) and
// `site` (no paths). Server block / virtual host / site A includes public, api and admin together
// at one level; B includes site alone; C is A in another layout (nginx: inside the location).
// Requests at governed and ungoverned paths, written with dot-segments (plain and
// percent-encoded), repeated slashes, mixed case, encoded slashes and query strings, are each
// compared with the reference evaluator for that target (src/model/paths.ts evaluateAt): the
// server's own refusal, the governing policy's answer, or the request passed on untouched.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAt, type PathVerdict } from '../../src/model/paths.js';
import type { InclusionLevel } from '../../src/model/server-request.js';
import { TARGETS, type TargetName as PathTarget } from '../../src/targets/registry.js';
import { CORS_RESPONSE_HEADERS, type Policy, type PolicySet } from '../../src/model/types.js';
import { compare, send, type RawResponse, type RequestCase } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { removeDir, runCommand, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy, type ServerDriver } from '../harness/suite.js';
import { startUpstream, statusOf, UPSTREAM_CORS_HEADERS, UPSTREAM_VARY, type Upstream } from '../harness/upstream.js';

export const PATHS_POLICY_FILE = `version: 1
policies:
  public:
    origins: "*"
    methods: [GET, HEAD]
    exposeHeaders: [X-Request-Id]
    paths: [/public/]
  api:
    origins: [https://app.example.com]
    credentials: true
    methods: [GET, POST, PUT]
    allowHeaders: [Content-Type, Authorization]
    exposeHeaders: [X-Request-Id]
    maxAge: 600
    paths: [/api/, /v2/]
  admin:
    origins: [https://admin.example.com]
    credentials: true
    methods: [GET, DELETE]
    paths: [/api/admin/]
  site:
    origins: [https://app.example.com, https://*.example.org]
    methods: [GET, PUT]
`;

/** A server block / virtual host / site: the policies it includes together at one level. */
export interface PathsSite {
  policies: string[];
  port: number;
  /** Another way to include them at one level (nginx: inside the location; Apache and Caddy: beside rules of the site's own). */
  layout?: 'other';
}

export interface PathsDriver {
  driver: ServerDriver;
  /** A complete server configuration with one block per site, each proxying to the upstream. */
  writeConfig(o: { dir: string; corsDir: string; sites: PathsSite[]; upstreamPort: number }): string;
  /** Where the other layout includes the policies (the evaluator's InclusionLevel). */
  otherLayoutLevel: InclusionLevel;
}

/** Request targets as sent on the wire (never normalized by the client). */
export const RAW_PATHS = [
  '/public/a.css',
  '/public/',
  '/public',
  '/public/../api/x',
  '/public/%2e%2e/api/x',
  '/public/%2E%2E/api/x',
  '/public/.%2e/api/admin/x',
  '//api/x',
  '/./api/x',
  '/public//../api/x',
  '/api/./admin/../x',
  '/api/x/../admin/y',
  '/api//admin/x',
  '/api/x',
  '/api',
  '/apix',
  '/api/admin',
  '/api/admin/x',
  '/API/x',
  '/Api/Admin/x',
  '/PUBLIC/a.css',
  '/api%2Fadmin/x',
  '/public%2F..%2Fapi/x',
  '/api/x?next=/public/',
  '/public/x?next=/api/admin/',
  '/v2/y',
  '/v2',
  '/other',
  '/',
  '/public/..',
  '/a/../../api/x',
  '/api/x%00',
];

const ORIGINS = ['https://app.example.com', 'https://admin.example.com', 'https://evil.test', 'https://a.example.org'];

export function pathCases(): RequestCase[] {
  const cases: RequestCase[] = [];
  for (const path of RAW_PATHS) {
    for (const origin of ORIGINS) {
      cases.push({
        name: 'preflight',
        method: 'OPTIONS',
        path,
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
      cases.push({ name: 'actual GET', method: 'GET', path, headers: { origin } });
    }
    cases.push({ name: 'GET without Origin', method: 'GET', path, headers: {} });
    cases.push({ name: 'bare OPTIONS', method: 'OPTIONS', path, headers: { origin: ORIGINS[0]! } });
  }
  return cases;
}

function headerValues(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name.toLowerCase()) out.push(raw[i + 1]!);
  return out;
}

const varyTokens = (res: RawResponse) => headerValues(res.rawHeaders, 'vary').flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase()));

/** Differences between a server's answer and the evaluator's verdict for that target. */
export function comparePath(verdict: PathVerdict, res: RawResponse, forwarded: boolean, appStatus: number): string[] {
  const problems: string[] = [];
  const vary = varyTokens(res);
  if (vary.filter((t) => t === 'origin').length > 1) problems.push(`Vary lists Origin more than once: ${JSON.stringify(vary)}`);
  switch (verdict.kind) {
    case 'refused':
      if (res.status !== verdict.status) problems.push(`status ${res.status}, expected the server's own ${verdict.status} (${verdict.reason})`);
      if (forwarded) problems.push('request reached the application');
      for (const name of CORS_RESPONSE_HEADERS) if (headerValues(res.rawHeaders, name).length > 0) problems.push(`${name} present on the server's refusal`);
      return problems;
    case 'passed':
      if (!forwarded) problems.push('request did not reach the application');
      if (res.status !== appStatus) problems.push(`status ${res.status}, expected the application's ${appStatus}`);
      if (vary.includes('origin')) problems.push(`Vary ${JSON.stringify(vary)} lists Origin at a path no policy governs`);
      if (!vary.includes(UPSTREAM_VARY.toLowerCase())) problems.push(`Vary ${JSON.stringify(vary)} lost the application's ${UPSTREAM_VARY}`);
      for (const name of CORS_RESPONSE_HEADERS) {
        const got = headerValues(res.rawHeaders, name);
        const want = verdict.appCorsHeaders === 'passed' ? [UPSTREAM_CORS_HEADERS[name]!] : [];
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${name} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)} (the application's own, ${verdict.appCorsHeaders})`);
      }
      return problems;
    case 'governed':
      return [...problems, ...compare(verdict.expected, res, forwarded, appStatus)];
  }
}

export interface PathsRun {
  cases: number;
  byKind: Record<PathVerdict['kind'], number>;
  mismatches: string[];
}

export async function runPathMatrix(target: PathTarget, file: readonly Policy[], included: readonly Policy[], port: number, upstream: Upstream, cases: RequestCase[]): Promise<PathsRun> {
  const run: PathsRun = { cases: cases.length, byKind: { refused: 0, passed: 0, governed: 0 }, mismatches: [] };
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const id = randomUUID();
      const verdict = evaluateAt(file, included, TARGETS[target].reading, { method: c.method, target: c.path, headers: c.headers });
      run.byKind[verdict.kind]++;
      const res = await send(port, c, id);
      const problems = comparePath(verdict, res, upstream.seen.has(id), statusOf(c.path));
      if (problems.length > 0) {
        const what = verdict.kind === 'governed' ? `governed by ${verdict.policy.name} at ${verdict.path}` : verdict.kind === 'passed' ? `passed on at ${verdict.path}` : `refused ${verdict.status}`;
        run.mismatches.push(`[${included.map((p) => p.name).join('+')}] ${c.method} ${c.path} ${c.name} ${JSON.stringify(c.headers)} (${what}):\n    ${problems.join('\n    ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return run;
}

export function pathsSuite(target: PathTarget, paths: PathsDriver): void {
  describe(`${target}: path-scoped policies included together at one level`, () => {
    const set: PolicySet = compilePolicy(PATHS_POLICY_FILE, 'paths.yaml');
    const byName = (n: string) => set.policies.find((p) => p.name === n)!;
    let sites: PathsSite[] = [];
    let dir = '';
    let configPath = '';
    let upstream: Upstream | undefined;
    let server: RunningServer | undefined;

    beforeAll(async () => {
      upstream = await startUpstream();
      const ports = await freePorts(3);
      sites = [
        { policies: ['public', 'api', 'admin'], port: ports[0]! },
        { policies: ['site'], port: ports[1]! },
        { policies: ['public', 'api', 'admin'], port: ports[2]!, layout: 'other' },
      ];
      const prepared = prepareServerDir(target, set, `${target}-paths`, (d, corsDir) => paths.writeConfig({ dir: d, corsDir, sites, upstreamPort: upstream!.port }));
      ({ dir, configPath } = prepared);
      server = await checkAndStart(paths.driver, prepared, ports);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await upstream?.close();
      if (dir) removeDir(dir);
    });

    it('the configuration passes the server’s syntax check without a warning (nginx: variables and map hashes fit)', () => {
      const r = runCommand(paths.driver.syntaxCheck({ dir, configPath }));
      expect(r.status, r.output).toBe(0);
      expect(r.output).not.toMatch(/\[(warn|emerg|alert|crit|error)\]/);
    });

    for (const [i, label] of [
      [0, 'public + api + admin together'],
      [1, 'site (no paths) alone'],
      [2, 'public + api + admin together, the other layout'],
    ] as const) {
      it(`${label}: every response matches the evaluator for ${target}`, async () => {
        const site = sites[i]!;
        const run = await runPathMatrix(target, set.policies, site.policies.map(byName), site.port, upstream!, pathCases());
        console.log(`${target} paths [${site.policies.join('+')}]: ${run.cases} cases (${run.byKind.governed} governed, ${run.byKind.passed} passed on, ${run.byKind.refused} refused by the server)`);
        expect(run.mismatches.slice(0, 15).join('\n')).toBe('');
        expect(run.byKind.governed).toBeGreaterThan(50);
        expect(run.byKind.passed).toBeGreaterThan(20);
      }, 60_000);
    }
  });
}
