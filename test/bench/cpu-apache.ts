// Apache's bench rows (test/bench/bench.ts) as server CPU time per request instead of throughput:
// utime+stime of every Apache process (from /proc/<pid>/stat) over one wrk run ÷ the requests wrk
// counted. The machine is shared, so throughput swings with other load; CPU time per request does
// much less. Run: npm run build && vite-node test/bench/cpu-apache.ts (BENCH_SECONDS, BENCH_TRIALS).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/compile.js';
import { compilePolicy } from '../harness/policy.js';
import { freePorts } from '../harness/ports.js';
import { handOver, makeTempDir, removeDir, runCommand, startServer } from '../harness/process.js';
import { pinnedServer, syntaxCheck, writeStaticConfig, type StaticSite } from './static-servers.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

// The bench's policies (test/bench/bench.ts): 9,900 exact origins, 100 wildcards, 3 regexes.
const exact = (i: number) => `https://tenant-${i}.customers.example.com`;
const wildcard = (i: number) => `https://*.w${i}.wild.example.net`;
const underWildcard = (i: number) => `https://app.w${i}.wild.example.net`;
const list = (entries: string[]) => entries.map((e) => `      - ${e}`).join('\n');
const REGEXES = ["^https://pr-[0-9]{1,6}\\.preview\\.example\\.org$", "^https://(eu|us)\\.status\\.example\\.org$", "^https://[a-z]{2}\\.docs\\.example\\.org$"];
const POLICIES = `version: 1
policies:
  one:
    origins: [${exact(1)}]
    methods: [GET, PUT]
  onewild:
    origins: ["${wildcard(1)}"]
    methods: [GET, PUT]
  many:
    origins:
${list(Array.from({ length: 9_900 }, (_, i) => exact(i + 1)))}
${list(Array.from({ length: 100 }, (_, i) => `"${wildcard(i + 1)}"`))}
${list(REGEXES.map((r) => `{regex: '${r}'}`))}
    methods: [GET, PUT]
`;

/** utime+stime in seconds of `pid` and its children (Apache's parent and its one child process). */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name: state(0) ppid(1) … utime(11) stime(12).
    if (Number(entry) === pid || Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS;
}

interface Probe {
  port: number;
  origin: string;
  preflight: boolean;
}

function run(tmp: string, serverPid: number, p: Probe): { cpuPerRequest: number; rps: number } {
  const script = join(tmp, `wrk-${p.port}-${p.preflight}-${Buffer.from(p.origin).toString('hex').slice(-16)}.lua`);
  const lines = [`wrk.method = "${p.preflight ? 'OPTIONS' : 'GET'}"`, `wrk.headers["Origin"] = "${p.origin}"`];
  if (p.preflight) lines.push('wrk.headers["Access-Control-Request-Method"] = "PUT"');
  writeFileSync(script, `${lines.join('\n')}\n`);
  const before = cpuSeconds(serverPid);
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${SECONDS}s`, '-s', script, `http://127.0.0.1:${p.port}/`], { encoding: 'utf8' });
  const after = cpuSeconds(serverPid);
  const requests = /([0-9]+) requests in/.exec(r.stdout);
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(r.stdout);
  if (r.status !== 0 || !requests || !rps) throw new Error(`wrk failed:\n${r.stdout}${r.stderr}`);
  if (/Socket errors|Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors on :${p.port}:\n${r.stdout}`);
  return { cpuPerRequest: (after - before) / Number(requests[1]), rps: Number(rps[1]) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;

async function main(): Promise<void> {
  const set = compilePolicy(POLICIES, 'bench.yaml');
  const [none, hand204, one, onewild, many] = await freePorts(5);
  const sites: StaticSite[] = [
    { mode: 'none', port: none! },
    { mode: 'hand204', port: hand204!, origin: exact(1) },
    { mode: 'generated', port: one!, policy: 'one' },
    { mode: 'generated', port: onewild!, policy: 'onewild' },
    { mode: 'generated', port: many!, policy: 'many' },
  ];
  const dir = makeTempDir('cpu-apache');
  const tmp = mkdtempSync(join(tmpdir(), 'cpu-apache-'));
  const corsDir = join(dir, 'cors');
  mkdirSync(corsDir);
  for (const f of generate(set, 'apache')) writeFileSync(join(corsDir, f.path), f.contents);
  // Design experiments: another many.conf in place of the generated one.
  if (process.env.CPU_APACHE_MANY) writeFileSync(join(corsDir, 'many.conf'), readFileSync(process.env.CPU_APACHE_MANY, 'utf8'));
  if (process.env.CPU_APACHE_DUMP) writeFileSync(process.env.CPU_APACHE_DUMP, readFileSync(join(corsDir, 'many.conf'), 'utf8'));
  const configPath = writeStaticConfig('apache', dir, corsDir, sites);
  handOver(dir);
  const syntax = runCommand(syntaxCheck('apache', dir, configPath));
  if (syntax.status !== 0) throw new Error(syntax.output);
  const server = await startServer(pinnedServer('apache', dir, configPath, 0), sites.map((s) => s.port), 60_000);
  // taskset execs apache2: its PID is the server's parent process.
  try {
    const g = (port: number, origin: string): Probe => ({ port, origin, preflight: false });
    const pf = (port: number, origin: string): Probe => ({ port, origin, preflight: true });
    const all: [string, string, Probe, Probe][] = [
      ['GET from an allowed origin ÷ same server without CORS', '≥ 0.97', g(one!, exact(1)), g(none!, exact(1))],
      ['allowed preflight ÷ a hand-written static 204', '≥ 0.95', pf(one!, exact(1)), pf(hand204!, exact(1))],
      ['10,003 origins ÷ 1, last exact origin: preflight', '≥ 0.95', pf(many!, exact(9_900)), pf(one!, exact(1))],
      ['10,003 origins ÷ 1, last exact origin: GET', '≥ 0.95', g(many!, exact(9_900)), g(one!, exact(1))],
      ['10,003 origins ÷ 1, last of 100 wildcards: preflight', '≥ 0.95', pf(many!, underWildcard(100)), pf(onewild!, underWildcard(1))],
      ['10,003 origins ÷ 1, last of 100 wildcards: GET', '≥ 0.95', g(many!, underWildcard(100)), g(onewild!, underWildcard(1))],
    ];
    const only = process.env.CPU_APACHE_ROWS?.split(',').map(Number);
    const rows = only ? all.filter((_, i) => only.includes(i)) : all;
    run(tmp, server.pid, rows[0]![2]);
    const cpu = rows.map(() => [] as number[]);
    const tput = rows.map(() => [] as number[]);
    const us = rows.map(() => [] as number[]);
    for (let t = 0; t < TRIALS; t++) {
      rows.forEach(([, , a, b], i) => {
        const [x, y] = t % 2 === 0 ? [run(tmp, server.pid, a), run(tmp, server.pid, b)] : [run(tmp, server.pid, b), run(tmp, server.pid, a)].reverse();
        // A ratio ≥ 1 is good in both columns: baseline CPU ÷ ours, our throughput ÷ baseline.
        cpu[i]!.push(y!.cpuPerRequest / x!.cpuPerRequest);
        tput[i]!.push(x!.rps / y!.rps);
        us[i]!.push(x!.cpuPerRequest * 1e6, y!.cpuPerRequest * 1e6);
      });
    }
    console.log(`apache (wrk -c50, ${SECONDS} s a run, ${TRIALS} interleaved trials; CPU ratio = baseline CPU/request ÷ ours)`);
    rows.forEach(([label, goal], i) => {
      const ours = median(us[i]!.filter((_, k) => k % 2 === 0));
      const base = median(us[i]!.filter((_, k) => k % 2 === 1));
      console.log(`  ${label.padEnd(56)} CPU ×${range(cpu[i]!)}  req/s ×${range(tput[i]!)}  goal ${goal}  (${ours.toFixed(1)} vs ${base.toFixed(1)} µs CPU/request)`);
    });
  } finally {
    await server.stop();
    removeDir(dir);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
