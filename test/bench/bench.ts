// npm run bench: every speed goal of the project measured as ratios of runs made side by side,
// interleaved, min–max over trials. Never asserted in the test suite.
//
//  CLI      cors-gen on a realistic 3-policy file and on 10,003 origins, each ÷ a bare `node -e 0`.
//  servers  throughput (wrk, 50 connections, the server pinned to CPU 0 and wrk to CPU 1) of static
//           responses, so that only the CORS work differs between the two sides of a ratio:
//             GET from an allowed origin ÷ the same server without CORS
//             allowed preflight ÷ a hand-written static 204
//             10,003 origins ÷ 1, last exact origin (preflight and GET)
//             10,003 origins ÷ 1, last of 100 subdomain wildcards (preflight and GET)
//             nginx ÷ the gist-style `if` regex config, 1,000 origins (preflight and GET)
// Each ratio is also given as server CPU time per request (utime + stime of the server's processes
// from /proc over each wrk run ÷ its requests; the denominator's ÷ the numerator's), steadier than
// throughput on a shared machine.
// BENCH_SECONDS (default 3) sets each wrk run's length, BENCH_TRIALS (default 3) the trials,
// BENCH_TARGETS (default nginx,apache,caddy) the servers, empty for none (the CLI rows alone:
// `BENCH_TARGETS= npx vite-node test/bench/bench.ts` after `npm run build`); BENCH_CLI=0 skips the
// CLI rows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generate } from '../../src/compile.js';
import type { TargetName } from '../../src/targets/types.js';
import { compilePolicy } from '../harness/policy.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer, type RunningServer } from '../harness/process.js';
import { treeTicks } from './cpu.js';
import { pinnedServer, syntaxCheck, writeStaticConfig, type StaticSite } from './static-servers.js';

const root = join(__dirname, '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const TARGETS = (process.env.BENCH_TARGETS ?? 'nginx,apache,caddy').split(',').filter((t) => t !== '') as TargetName[];
const CONNECTIONS = 50;
const SERVER_CPU = 0;
const CLIENT_CPU = 1;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

// ---- policies ------------------------------------------------------------------------------------

const exact = (i: number) => `https://tenant-${i}.customers.example.com`;
const wildcard = (i: number) => `https://*.w${i}.wild.example.net`;
const underWildcard = (i: number) => `https://app.w${i}.wild.example.net`;
const EXACT_COUNT = 9_900;
const WILDCARD_COUNT = 100;
const REGEXES = ["^https://pr-[0-9]{1,6}\\.preview\\.example\\.org$", "^https://(eu|us)\\.status\\.example\\.org$", "^https://[a-z]{2}\\.docs\\.example\\.org$"];
const GIST_COUNT = 1_000;

const list = (entries: string[]) => entries.map((e) => `      - ${e}`).join('\n');
const BENCH_POLICIES = `version: 1
policies:
  one:
    origins: [${exact(1)}]
    methods: [GET, PUT]
  onewild:
    origins: ["${wildcard(1)}"]
    methods: [GET, PUT]
  many:
    origins:
${list(Array.from({ length: EXACT_COUNT }, (_, i) => exact(i + 1)))}
${list(Array.from({ length: WILDCARD_COUNT }, (_, i) => `"${wildcard(i + 1)}"`))}
${list(REGEXES.map((r) => `{regex: '${r}'}`))}
    methods: [GET, PUT]
  thousand:
    origins:
${list(Array.from({ length: GIST_COUNT }, (_, i) => exact(i + 1)))}
    methods: [GET, PUT]
`;

/** A realistic file: an SPA API with cookies, a multi-tenant API, public assets. */
const REALISTIC = `version: 1
policies:
  api:
    origins: [https://app.example.com, https://admin.example.com, "http://localhost:*"]
    credentials: true
    methods: [GET, POST, PUT, PATCH, DELETE]
    allowHeaders: [Content-Type, X-CSRF-Token]
    exposeHeaders: [X-Request-Id]
    maxAge: 600
  tenants:
    origins:
      - https://example.com
      - https://*.example.com
      - regex: '^https://pr-[0-9]{1,6}\\.preview\\.example\\.net$'
    methods: [GET, POST, PUT, PATCH, DELETE]
    allowHeaders: [Authorization, Content-Type, X-Tenant]
    exposeHeaders: [X-Request-Id]
    maxAge: 600
  assets:
    origins: "*"
    methods: [GET, HEAD]
`;

// ---- CLI start-up --------------------------------------------------------------------------------

function timeOnce(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

function cliRows(tmp: string): void {
  const realistic = join(tmp, 'realistic.yaml');
  const large = join(tmp, 'large.yaml');
  writeFileSync(realistic, REALISTIC);
  writeFileSync(large, BENCH_POLICIES.replace(/\n {2}one:[\s\S]*?\n {2}many:/, '\n  many:').replace(/\n {2}thousand:[\s\S]*$/, '\n'));
  const commands: Record<string, string[]> = {
    baseline: ['-e', '0'],
    realistic: ['bin/cors-gen.js', realistic, '--target', 'nginx'],
    large: ['bin/cors-gen.js', large, '--target', 'nginx'],
  };
  const ratios: Record<'realistic' | 'large', number[]> = { realistic: [], large: [] };
  const ms: Record<string, number[]> = { baseline: [], realistic: [], large: [] };
  for (let trial = 0; trial < 5; trial++) {
    const runs: Record<string, number[]> = { baseline: [], realistic: [], large: [] };
    // Interleaved: one run of each in turn, so that machine noise hits all of them alike.
    for (let i = 0; i < 9; i++) for (const [name, args] of Object.entries(commands)) runs[name]!.push(timeOnce(args));
    for (const name of Object.keys(runs)) ms[name]!.push(median(runs[name]!));
    ratios.realistic.push(median(runs.realistic!) / median(runs.baseline!));
    ratios.large.push(median(runs.large!) / median(runs.baseline!));
  }
  console.log(`CLI (5 trials × 9 interleaved runs; medians ${median(ms.baseline!).toFixed(0)} / ${median(ms.realistic!).toFixed(0)} / ${median(ms.large!).toFixed(0)} ms)`);
  console.log(`  realistic 3-policy file ÷ node -e 0   ×${range(ratios.realistic)}   goal ≤ 1.15`);
  console.log(`  10,003 origins ÷ node -e 0            ×${range(ratios.large)}   goal ≤ 1.5`);
}

// ---- servers -------------------------------------------------------------------------------------

type Kind = 'preflight' | 'get';

interface Probe {
  port: number;
  origin: string;
  kind: Kind;
  /** The status the server must answer (checked once before measuring). */
  status: number;
  /** Whether Access-Control-Allow-Origin must be present. */
  acao: boolean;
}

function wrkScript(tmp: string, p: Probe): string {
  const path = join(tmp, `wrk-${p.port}-${p.kind}-${Buffer.from(p.origin).toString('hex').slice(-24)}.lua`);
  const lines = [`wrk.method = "${p.kind === 'preflight' ? 'OPTIONS' : 'GET'}"`, `wrk.headers["Origin"] = "${p.origin}"`];
  if (p.kind === 'preflight') lines.push('wrk.headers["Access-Control-Request-Method"] = "PUT"');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function probeOnce(p: Probe): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: p.origin };
    if (p.kind === 'preflight') headers['access-control-request-method'] = 'PUT';
    const req = request({ host: '127.0.0.1', port: p.port, method: p.kind === 'preflight' ? 'OPTIONS' : 'GET', path: '/', headers }, (res) => {
      res.resume();
      const acao = res.headers['access-control-allow-origin'] !== undefined;
      if (res.statusCode !== p.status || acao !== p.acao) reject(new Error(`:${p.port} ${p.kind} from ${p.origin}: ${res.statusCode}, ACAO ${acao ? 'present' : 'absent'}; expected ${p.status}, ${p.acao ? 'present' : 'absent'}`));
      else resolve();
    });
    req.on('error', reject);
    req.end();
  });
}

interface Measured {
  rps: number;
  /** Server CPU time per request (utime + stime of its processes ÷ requests), in ticks. */
  cpu: number;
}

/** One wrk run pinned to the client CPU: requests per second, and the server's CPU per request. */
function measure(tmp: string, p: Probe, serverPid: number): Measured {
  const before = treeTicks(serverPid);
  const r = throughputRun(tmp, p);
  return { rps: r.rps, cpu: (treeTicks(serverPid) - before) / r.requests };
}

function throughputRun(tmp: string, p: Probe): { rps: number; requests: number } {
  const r = spawnSync('taskset', ['-c', String(CLIENT_CPU), 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', wrkScript(tmp, p), `http://127.0.0.1:${p.port}/`], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (r.status !== 0 || !rps) throw new Error(`wrk failed:\n${out}`);
  if (/Non-2xx or 3xx responses/.test(out) && p.status < 400) throw new Error(`wrk saw error statuses on :${p.port}:\n${out}`);
  if (/Socket errors/.test(out)) throw new Error(`wrk saw socket errors on :${p.port}:\n${out}`);
  return { rps: Number(rps[1]), requests: Number(/([0-9]+) requests in/.exec(out)![1]) };
}

interface Row {
  label: string;
  goal: string;
  /** Numerator and denominator probes. */
  pairs: [Probe, Probe][];
}

async function serverRows(target: TargetName, tmp: string): Promise<string[]> {
  const set = compilePolicy(BENCH_POLICIES, 'bench.yaml');
  const names = ['none', 'hand204', 'one', 'onewild', 'many', 'thousand', 'gist'] as const;
  const ports = await freePorts(names.length);
  const port = Object.fromEntries(names.map((n, i) => [n, ports[i]!])) as Record<(typeof names)[number], number>;
  const sites: StaticSite[] = [
    { mode: 'none', port: port.none },
    { mode: 'hand204', port: port.hand204, origin: exact(1) },
    { mode: 'generated', port: port.one, policy: 'one' },
    { mode: 'generated', port: port.onewild, policy: 'onewild' },
    { mode: 'generated', port: port.many, policy: 'many' },
    { mode: 'generated', port: port.thousand, policy: 'thousand' },
  ];
  if (target === 'nginx') sites.push({ mode: 'gist', port: port.gist, origins: Array.from({ length: GIST_COUNT }, (_, i) => exact(i + 1)) });

  const dir = makeTempDir(`bench-${target}`);
  const corsDir = join(dir, 'cors');
  mkdirSync(corsDir);
  for (const f of generate(set, target)) writeFileSync(join(corsDir, f.path), f.contents);
  const configPath = writeStaticConfig(target, dir, corsDir, sites);
  handOver(dir);
  const syntax = runCommand(syntaxCheck(target, dir, configPath));
  if (syntax.status !== 0) throw new Error(`${target} syntax check failed:\n${syntax.output}`);
  let server: RunningServer | undefined;
  try {
    server = await startServer(pinnedServer(target, dir, configPath, SERVER_CPU), sites.map((s) => s.port), 60_000);
    const pf = (p: number, origin: string, status = 204): Probe => ({ port: p, origin, kind: 'preflight', status, acao: status === 204 });
    const get = (p: number, origin: string, acao = true): Probe => ({ port: p, origin, kind: 'get', status: 200, acao });
    const lastExact = exact(EXACT_COUNT);
    const lastWild = underWildcard(WILDCARD_COUNT);
    const rows: Row[] = [
      { label: 'GET from an allowed origin ÷ same server without CORS', goal: '≥ 0.97', pairs: [[get(port.one, exact(1)), get(port.none, exact(1), false)]] },
      { label: 'allowed preflight ÷ a hand-written static 204', goal: '≥ 0.95', pairs: [[pf(port.one, exact(1)), pf(port.hand204, exact(1))]] },
      { label: '10,003 origins ÷ 1, last exact origin: preflight', goal: '≥ 0.95', pairs: [[pf(port.many, lastExact), pf(port.one, exact(1))]] },
      { label: '10,003 origins ÷ 1, last exact origin: GET', goal: '≥ 0.95', pairs: [[get(port.many, lastExact), get(port.one, exact(1))]] },
      { label: '10,003 origins ÷ 1, last of 100 wildcards: preflight', goal: '≥ 0.95', pairs: [[pf(port.many, lastWild), pf(port.onewild, underWildcard(1))]] },
      { label: '10,003 origins ÷ 1, last of 100 wildcards: GET', goal: '≥ 0.95', pairs: [[get(port.many, lastWild), get(port.onewild, underWildcard(1))]] },
    ];
    if (target === 'nginx') {
      const lastOfThousand = exact(GIST_COUNT);
      rows.push(
        { label: 'nginx ÷ gist-style if regexes, 1,000 origins: preflight', goal: '≥ 2', pairs: [[pf(port.thousand, lastOfThousand), pf(port.gist, lastOfThousand)]] },
        { label: 'nginx ÷ gist-style if regexes, 1,000 origins: GET', goal: '≥ 2', pairs: [[get(port.thousand, lastOfThousand), get(port.gist, lastOfThousand)]] },
      );
    }
    for (const r of rows) for (const [a, b] of r.pairs) await Promise.all([probeOnce(a), probeOnce(b)]);
    // Warm-up, then interleaved trials: every row's two sides measured back to back in each trial.
    const pid = server.pid;
    measure(tmp, rows[0]!.pairs[0]![0], pid);
    const ratios = rows.map(() => [] as number[]);
    const cpuRatios = rows.map(() => [] as number[]);
    const rps = rows.map(() => [] as number[]);
    for (let t = 0; t < TRIALS; t++) {
      rows.forEach((r, i) => {
        const [a, b] = r.pairs[0]!;
        // Alternate which side goes first, so that drift within a trial does not favour one.
        const [x, y] = t % 2 === 0 ? [measure(tmp, a, pid), measure(tmp, b, pid)] : [measure(tmp, b, pid), measure(tmp, a, pid)].reverse();
        ratios[i]!.push(x!.rps / y!.rps);
        // CPU per request of the denominator ÷ the numerator's: read like the throughput ratio.
        cpuRatios[i]!.push(y!.cpu / x!.cpu);
        rps[i]!.push(x!.rps);
      });
    }
    return rows.map(
      (r, i) =>
        `  ${target.padEnd(6)} ${r.label.padEnd(58)} ×${range(ratios[i]!)}   CPU/request ×${range(cpuRatios[i]!)} (median ${median(cpuRatios[i]!).toFixed(2)})   goal ${r.goal}   (${median(rps[i]!).toFixed(0)} req/s)`,
    );
  } finally {
    await server?.stop();
    removeDir(dir);
  }
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'cors-gen-bench-'));
  try {
    if (process.env.BENCH_CLI !== '0') cliRows(tmp);
    if (TARGETS.length === 0) return;
    console.log(`servers (wrk -c${CONNECTIONS}, ${SECONDS} s a run, ${TRIALS} interleaved trials; server on CPU ${SERVER_CPU}, wrk on CPU ${CLIENT_CPU}; ratios of requests/s, min–max)`);
    for (const target of TARGETS) for (const line of await serverRows(target, tmp)) console.log(line);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
