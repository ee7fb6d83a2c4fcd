// npm run bench: speed goals measured as ratios, never asserted in the test suite.
//  1. CLI start-up: `cors-gen validate` and `cors-gen --target nginx` against a bare `node -e 0`.
//  2. Allow-list growth: per server, the median latency of a preflight from the last of 10,000
//     exact origins against a policy with one origin (contract §2: about the same cost).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PolicySet } from '../../src/model/types.js';
import { send, type RequestCase } from '../harness/matrix.js';
import { freePorts } from '../harness/ports.js';
import { removeDir } from '../harness/process.js';
import { checkAndStart, prepareServerDir } from '../harness/serve.js';
import { compilePolicy } from '../harness/policy.js';
import type { ServerDriver } from '../harness/suite.js';
import { startUpstream } from '../harness/upstream.js';
import { driver as apache } from '../servers/apache.driver.js';
import { driver as caddy } from '../servers/caddy.driver.js';
import { driver as nginx } from '../servers/nginx.driver.js';

const root = join(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeCommand(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return median(times);
}

function policyWith(count: number): PolicySet {
  const origins = Array.from({ length: count }, (_, i) => `https://tenant-${i}.customers.example.com`);
  const text = `version: 1\npolicies:\n  bench:\n    origins:\n${origins.map((o) => `      - ${o}`).join('\n')}\n    methods: [GET, PUT]\n`;
  return compilePolicy(text, 'bench.yaml');
}

async function latency(driver: ServerDriver, set: PolicySet, origin: string, requests: number): Promise<number> {
  const [port] = await freePorts(1);
  const upstream = await startUpstream();
  const { dir, configPath } = prepareServerDir(driver.target, set, `bench-${driver.target}`, (d, corsDir) =>
    driver.writeConfig({ dir: d, corsDir, sites: [{ policy: 'bench', port: port! }], upstreamPort: upstream.port }),
  );
  const server = await checkAndStart(driver, { dir, configPath }, [port!], 60_000);
  try {
    const c: RequestCase = { name: 'preflight', method: 'OPTIONS', path: '/', headers: { origin, 'access-control-request-method': 'PUT' } };
    for (let i = 0; i < 200; i++) await send(port!, c, 'warm'); // warm-up
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      const res = await send(port!, c, 'bench');
      times.push(performance.now() - t);
      if (res.status !== 204) throw new Error(`${driver.target}: preflight answered ${res.status}`);
    }
    return median(times);
  } finally {
    await server.stop();
    await upstream.close();
    removeDir(dir);
  }
}

async function main() {
  const example = 'examples/spa-with-cookies.yaml';
  const baseline = timeCommand(['-e', '0'], 15);
  const validate = timeCommand(['bin/cors-gen.js', 'validate', example], 15);
  const gen = timeCommand(['bin/cors-gen.js', example, '--target', 'nginx'], 15);
  console.log(`CLI start-up (median of 15): node -e 0 ${baseline.toFixed(1)} ms; validate ${validate.toFixed(1)} ms (x${(validate / baseline).toFixed(2)}); generate nginx ${gen.toFixed(1)} ms (x${(gen / baseline).toFixed(2)})`);
  const three = timeCommand(['bin/cors-gen.js', 'test/bench/three-policies.yaml', '--target', 'nginx'], 15);
  console.log(`CLI on a 3-policy file (test/bench/three-policies.yaml, median of 15): generate nginx ${three.toFixed(1)} ms (x${(three / baseline).toFixed(2)} node -e 0)`);

  const one = policyWith(1);
  const many = policyWith(10_000);
  const last = 'https://tenant-9999.customers.example.com';
  for (const driver of [nginx, apache, caddy]) {
    const a = await latency(driver, one, 'https://tenant-0.customers.example.com', 2000);
    const b = await latency(driver, many, last, 2000);
    console.log(`${driver.target.padEnd(6)} preflight median latency: 1 origin ${(a * 1000).toFixed(0)} µs, 10,000 origins (last one) ${(b * 1000).toFixed(0)} µs, ratio x${(b / a).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
