// Contract §3a, "safe against a production server": each limit pinned against an instrumented server
// on 127.0.0.1 (node:http) that records what verify sends: methods, headers, concurrency, redirects
// and the number of requests. The server answers as the reference evaluator says (so a run against
// it conforms) unless a test tells it to misbehave.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/model/evaluate.js';
import type { Policy } from '../../src/model/types.js';
import { compilePolicy } from '../harness/policy.js';
import { listenOnLoopback, type LoopbackServer } from '../harness/upstream.js';
import { runVerifyCli } from './cli.js';

const work = mkdtempSync(join(tmpdir(), 'cors-gen-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function policyFile(name: string, yaml: string): { path: string; policy: Policy } {
  const path = join(work, name);
  writeFileSync(path, yaml);
  return { path, policy: compilePolicy(yaml, name).policies[0]! };
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

type Behaviour = (req: Seen) => 'conform' | 'redirect' | 'hang' | 'comma-lists';

interface Instrumented {
  server: LoopbackServer;
  url: string;
  seen: Seen[];
  maxInFlight: number;
}

async function instrumented(policy: Policy, behaviour: Behaviour = () => 'conform', delayMs = 20): Promise<Instrumented> {
  const seen: Seen[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server = await listenOnLoopback((req, res) => {
    const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } };
    seen.push(s);
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const what = behaviour(s);
    if (what === 'hang') return; // never answers: verify's time-out must end the request
    setTimeout(() => {
      if (what === 'redirect') {
        res.writeHead(301, { location: '/redirected-target', vary: 'Origin' }).end();
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const expected = evaluate(policy, { method: req.method ?? 'GET', headers });
      const out: Record<string, string> = { vary: 'Origin' };
      for (const [k, v] of Object.entries(expected.headers)) out[k] = what === 'comma-lists' ? v.replace(/, /g, ',') : v;
      res.writeHead(expected.status === 'upstream' ? 200 : expected.status, out).end(expected.status === 'upstream' ? 'application body\n' : undefined);
    }, delayMs);
  });
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    seen,
    get maxInFlight() {
      return state.maxInFlight;
    },
  };
}

const SPA = `version: 1
policies:
  api:
    origins: [https://app.example.com, https://*.example.org, "http://localhost:*", regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$']
    methods: [GET, POST, PUT]
    allowHeaders: [Content-Type, X-CSRF-Token]
    exposeHeaders: [X-Request-Id, ETag]
    maxAge: 600
    paths: [/api/, /v2/]
`;

describe('verify against an instrumented loopback server', () => {
  let srv: Instrumented | undefined;
  afterEach(async () => {
    await srv?.server.close();
    srv = undefined;
  });

  it('a conforming server: exit 0; only OPTIONS, GET and HEAD; no cookie or credential; at most 4 in flight', async () => {
    const { path, policy } = policyFile('spa.yaml', SPA);
    srv = await instrumented(policy);
    const r = await runVerifyCli([path, '--url', srv.url]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const sent = srv.seen.length;
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`verify: ${sent}/${sent} requests conform`);
    expect(new Set(srv.seen.map((s) => s.method))).toEqual(new Set(['OPTIONS', 'GET', 'HEAD']));
    for (const s of srv.seen) {
      for (const h of ['cookie', 'authorization', 'proxy-authorization']) expect(s.headers[h], `${s.method} ${s.url} ${h}`).toBeUndefined();
    }
    // Requests overlap (the server answers after 20 ms), but never more than 4 at once.
    expect(srv.maxInFlight).toBeGreaterThan(1);
    expect(srv.maxInFlight).toBeLessThanOrEqual(4);
    // Both paths, every entry (the regex through a sample), attacker-shaped variants, with and without Origin.
    const paths = new Set(srv.seen.map((s) => s.url));
    expect(paths).toEqual(new Set(['/api/', '/v2/']));
    const origins = new Set(srv.seen.map((s) => s.headers.origin));
    for (const o of ['https://app.example.com', 'https://a.example.org', 'http://localhost:8443', 'null', 'https://app.example.com.evil.test', 'http://app.example.com', undefined]) {
      expect(origins.has(o as string), String(o)).toBe(true);
    }
    expect([...origins].some((o) => typeof o === 'string' && /^https:\/\/pr-[0-9]+\.preview\.example\.net$/.test(o))).toBe(true);
    expect(srv.seen.some((s) => s.method === 'OPTIONS' && s.headers['access-control-request-headers'] !== undefined)).toBe(true);
    expect(srv.seen.some((s) => s.method === 'OPTIONS' && s.headers['access-control-request-headers'] === undefined)).toBe(true);
  });

  it('list-valued headers are compared as token lists (GET,POST equals GET, POST)', async () => {
    const { path, policy } = policyFile('spa.yaml', SPA);
    srv = await instrumented(policy, () => 'comma-lists', 0);
    const r = await runVerifyCli([path, '--url', srv.url, '--path', '/api/x']);
    expect(r.code, r.stdout).toBe(0);
  });

  it('redirects are not followed: a 301 on a preflight is a deviation with its cause', async () => {
    const { path, policy } = policyFile('spa.yaml', SPA);
    srv = await instrumented(policy, (s) => (s.method === 'OPTIONS' ? 'redirect' : 'conform'), 0);
    const r = await runVerifyCli([path, '--url', srv.url, '--path', '/api/']);
    expect(r.code).toBe(1);
    expect(srv.seen.filter((s) => s.url !== '/api/')).toEqual([]);
    expect(r.stdout).toMatch(/^FAIL OPTIONS \/api\/ Origin: https:\/\/app\.example\.com Access-Control-Request-Method: PUT: status 301, expected 204.*likely cause: the server redirects/m);
  });

  it('a request that gets no answer times out (--timeout): a deviation when others were answered', async () => {
    const { path, policy } = policyFile('spa.yaml', SPA);
    srv = await instrumented(policy, (s) => (s.method === 'HEAD' && s.headers.origin === 'null' ? 'hang' : 'conform'), 0);
    const r = await runVerifyCli([path, '--url', srv.url, '--path', '/api/', '--timeout', '0.3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL HEAD \/api\/ Origin: null: no answer within 0\.3 s/m);
  });

  it('a server that answers nothing: exit 3, and nothing judged', async () => {
    const { path, policy } = policyFile('spa.yaml', SPA);
    srv = await instrumented(policy, () => 'hang', 0);
    const r = await runVerifyCli([path, '--url', srv.url, '--timeout', '0.3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/could not be reached: no answer within 0\.3 s; nothing judged/);
    expect(srv.seen).toHaveLength(1);
  });

  it('at most 1,000 requests, cut evenly across paths and origins, and the output says so', async () => {
    const origins = Array.from({ length: 60 }, (_, i) => `      - https://tenant-${i}.example.org`).join('\n');
    const yaml = `version: 1\npolicies:\n  many:\n    origins:\n${origins}\n    paths: [/a/, /b/, /c/]\n`;
    const { path, policy } = policyFile('many.yaml', yaml);
    srv = await instrumented(policy, () => 'conform', 0);
    const r = await runVerifyCli([path, '--url', srv.url]);
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
    expect(srv.seen.length).toBeLessThanOrEqual(1000);
    expect(srv.seen.length).toBeGreaterThan(900);
    const perPath = ['/a/', '/b/', '/c/'].map((p) => srv!.seen.filter((s) => s.url === p).length);
    expect(new Set(perPath).size).toBe(1);
    // Every entry's own origin is kept before any attacker-shaped variant.
    const sentOrigins = new Set(srv.seen.map((s) => s.headers.origin));
    for (let i = 0; i < 60; i++) expect(sentOrigins.has(`https://tenant-${i}.example.org`)).toBe(true);
    expect(r.stdout).toMatch(/^note: the [0-9]+ requests derived from the policy exceed the limit of 1000 per run; cut evenly to [0-9]+ of [0-9]+ origins on 3 of 3 paths$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`verify: ${srv.seen.length}/${srv.seen.length} requests conform`);
  });
});

describe('verify over https', () => {
  let server: Server | undefined;
  let port = 0;
  let ca = '';
  const seen: string[] = [];
  const { path, policy } = policyFile('https.yaml', 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n');

  beforeAll(async () => {
    const key = join(work, 'tls-key.pem');
    ca = join(work, 'tls-cert.pem');
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', ca, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(ca) }, (req, res) => {
      seen.push(req.method ?? '');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const expected = evaluate(policy, { method: req.method ?? 'GET', headers });
      res.writeHead(expected.status === 'upstream' ? 200 : expected.status, { ...expected.headers, vary: 'Origin' }).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('a certificate the system store does not trust: exit 3 (TLS failure), nothing judged', async () => {
    const r = await runVerifyCli([path, '--url', `https://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not be reached: TLS failure/);
    expect(seen).toEqual([]);
  });

  it('--ca trusts it: exit 0, and --format json prints the results', async () => {
    const r = await runVerifyCli([path, '--url', `https://127.0.0.1:${port}`, '--ca', ca, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { sent: number; conforming: number; results: { conforms: boolean; method: string; headers: Record<string, string[]> }[] };
    expect(doc.sent).toBe(seen.length);
    expect(doc.results[0]!.headers).toEqual({ 'Access-Control-Allow-Origin': ['https://app.example.com'], 'Access-Control-Allow-Methods': ['GET, HEAD, POST'], Vary: ['Origin'] });
    expect(doc.conforming).toBe(doc.sent);
    expect(doc.results.every((x) => x.conforms)).toBe(true);
  });
});

describe('verify: bad usage sends nothing (exit 2)', () => {
  let srv: Instrumented | undefined;
  beforeAll(async () => {
    srv = await instrumented(policyFile('spa.yaml', SPA).policy);
  });
  afterAll(async () => srv?.server.close());

  const cases: [string, (url: string, file: string, two: string) => string[]][] = [
    ['a path outside the policy’s paths', (url, file) => [file, '--url', url, '--path', '/admin/']],
    ['a path with a dot-segment', (url, file) => [file, '--url', url, '--path', '/api/../admin/']],
    ['a URL with a path', (url, file) => [file, '--url', `${url}/api/`]],
    ['a URL with a user name', (url, file) => [file, '--url', url.replace('http://', 'http://user:pw@')]],
    ['another scheme', (url, file) => [file, '--url', url.replace('http://', 'ftp://')]],
    ['a bad time-out', (url, file) => [file, '--url', url, '--timeout', '0']],
    ['several policies without --policy', (url, _file, two) => [two, '--url', url]],
    ['an unknown policy', (url, _file, two) => [two, '--url', url, '--policy', 'nope']],
    ['an invalid policy', (url) => {
      writeFileSync(join(work, 'bad.yaml'), 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com/]\n');
      return [join(work, 'bad.yaml'), '--url', url];
    }],
    ['no --url', (_url, file) => [file]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const file = policyFile('spa.yaml', SPA).path;
      const two = policyFile('two.yaml', 'version: 1\npolicies:\n  a:\n    origins: [https://a.example.com]\n  b:\n    origins: "*"\n    paths: [/b/]\n').path;
      const before = srv!.seen.length;
      const r = await runVerifyCli(args(srv!.url, file, two));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^(cors-gen: |error: )|: error: /m);
      expect(srv!.seen.length).toBe(before);
    });
  }
});
