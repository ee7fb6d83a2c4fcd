// Differential test (issue 11): the same request matrix (test/harness/matrix.ts on the fixture
// policies) answered by the real nginx, Apache and Caddy with the generated configs, by cors-gen
// serve, and by corsMiddleware in node:http, Express and Connect, all in front of the same kind of
// application. serve and the middleware decide with the reference evaluator, so comparing them with
// it could not fail; here nothing is compared with the evaluator: status, every Access-Control-*
// header, Vary and whether the request reached the application must be the same from all seven.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicySet } from '../../src/model/types.js';
import { SAMPLES, SERVER_POLICY_FILE } from '../fixtures/server-policies.js';
import { casesFor, send, type RawResponse, type RequestCase } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir, type RunningServer } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compileFixture } from '../harness/suite.js';
import { startUpstream, UPSTREAM_VARY, type Upstream } from '../harness/upstream.js';
import { FRAMEWORKS, startApp, type App } from '../middleware/apps.js';
import { SERVER_DRIVERS } from '../servers/drivers.js';
import { startServe, type ServeProcess } from './serve-process.js';

/** What is compared: everything §2 fixes about a response, nothing a server may choose. */
interface Observed {
  status: number;
  cors: Record<string, string[]>;
  varyOrigin: boolean;
  varyApplication: boolean;
  forwarded: boolean;
  body: string;
}

function observe(res: RawResponse, forwarded: boolean): Observed {
  const cors: Record<string, string[]> = {};
  const vary: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!.toLowerCase();
    const value = res.rawHeaders[i + 1]!;
    if (name.startsWith('access-control-')) (cors[name] ??= []).push(value);
    if (name === 'vary') vary.push(...value.split(',').map((t) => t.trim().toLowerCase()));
  }
  return {
    status: res.status,
    cors: Object.fromEntries(Object.entries(cors).sort(([a], [b]) => a.localeCompare(b))),
    varyOrigin: vary.includes('origin'),
    varyApplication: vary.includes(UPSTREAM_VARY.toLowerCase()),
    forwarded,
    // A body the server wrote itself (a 403 page) is the server's own; the application's must pass.
    body: forwarded ? res.body : '',
  };
}

interface Answerer {
  name: string;
  port(policy: string): number;
  seen(policy: string): Set<string>;
}

describe('differential: nginx, Apache, Caddy, cors-gen serve and corsMiddleware answer the matrix alike', () => {
  const set: PolicySet = compileFixture();
  let upstream: Upstream | undefined;
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  const serves = new Map<string, ServeProcess>();
  const apps = new Map<string, App>();
  const answerers: Answerer[] = [];
  let compared = 0;

  beforeAll(async () => {
    upstream = await startUpstream();
    // Every registered target's server (test/servers/drivers.ts).
    for (const driver of SERVER_DRIVERS) {
      const ports = await freePorts(set.policies.length);
      const sites = set.policies.map((p, i) => ({ policy: p.name, port: ports[i]! }));
      const { dir, configPath } = prepareServerDir(driver.target, set, `diff-${driver.target}`, (d, corsDir) => driver.writeConfig({ dir: d, corsDir, sites, upstreamPort: upstream!.port }));
      dirs.push(dir);
      servers.push(await checkAndStart(driver, { dir, configPath }, ports));
      answerers.push({ name: driver.target, port: (p) => sites.find((s) => s.policy === p)!.port, seen: () => upstream!.seen });
    }
    const policyDir = makeTempDir('diff-policy');
    dirs.push(policyDir);
    const file = join(policyDir, 'server-policies.yaml');
    writeFileSync(file, SERVER_POLICY_FILE);
    for (const p of set.policies) {
      serves.set(p.name, await startServe([file, '--policy', p.name, '--listen', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${upstream.port}/`]));
      for (const f of FRAMEWORKS) apps.set(`${f}/${p.name}`, await startApp(f, file, p.name));
    }
    answerers.push({ name: 'serve', port: (p) => serves.get(p)!.port, seen: () => upstream!.seen });
    for (const f of FRAMEWORKS) answerers.push({ name: `middleware/${f}`, port: (p) => apps.get(`${f}/${p}`)!.port, seen: (p) => apps.get(`${f}/${p}`)!.seen });
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const s of serves.values()) await s.stop();
    for (const a of apps.values()) await a.close();
    await upstream?.close();
    for (const d of dirs) removeDir(d);
    console.log(`differential: ${compared} request cases answered alike by ${answerers.map((a) => a.name).join(', ')}`);
  });

  for (const policy of set.policies) {
    it(`policy ${policy.name}`, async () => {
      const cases: RequestCase[] = casesFor(SAMPLES[policy.name]!);
      const mismatches: string[] = [];
      let n = 0;
      const queue = [...cases];
      const worker = async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const answers: [string, Observed][] = [];
          for (const a of answerers) {
            const id = `${a.name}-${policy.name}-${n++}`;
            const res = await send(a.port(policy.name), c, id);
            answers.push([a.name, observe(res, a.seen(policy.name).has(id))]);
          }
          const [refName, ref] = answers[0]!;
          for (const [name, got] of answers.slice(1)) {
            if (JSON.stringify(got) !== JSON.stringify(ref)) {
              mismatches.push(`${c.method} ${c.path} ${c.name} ${JSON.stringify(c.headers)}:\n    ${refName}: ${JSON.stringify(ref)}\n    ${name}: ${JSON.stringify(got)}`);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      compared += cases.length;
      expect(mismatches.slice(0, 10).join('\n')).toBe('');
      expect(cases.length).toBeGreaterThan(10);
    }, 120_000);
  }

  it('the comparison sees differences: a response with one more Access-Control-* header, another status or a lost Vary is told apart', () => {
    const base: RawResponse = { status: 200, rawHeaders: ['Access-Control-Allow-Origin', '*', 'Vary', 'Origin, Accept-Encoding'], body: 'upstream 200\n' };
    const ref = JSON.stringify(observe(base, true));
    expect(JSON.stringify(observe({ ...base, rawHeaders: [...base.rawHeaders, 'Access-Control-Allow-Origin', '*'] }, true))).not.toBe(ref);
    expect(JSON.stringify(observe({ ...base, status: 204 }, true))).not.toBe(ref);
    expect(JSON.stringify(observe({ ...base, rawHeaders: ['Access-Control-Allow-Origin', '*'] }, true))).not.toBe(ref);
    expect(JSON.stringify(observe(base, false))).not.toBe(ref);
  });
});
