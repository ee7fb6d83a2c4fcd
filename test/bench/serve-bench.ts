// npm run bench, part 2: `cors-gen serve` against a bare Node.js proxy of the same shape
// (test/bench/bare-proxy.mjs: same upstream, no CORS). wrk with 50 connections; the proxy under
// test pinned to CPU 0, wrk and the upstream (nginx answering from memory) to CPU 1; trials
// interleaved (bare, serve, bare, serve, …); min–max of each and the ratio of the medians.
// Goal (issue 11): serve ≥ 0.9 × the bare proxy's throughput, with no errors under load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../harness/ports.js';
import { makeTempDir, removeDir } from '../harness/process.js';

const root = join(__dirname, '..', '..');
const TRIALS = Number(process.env.SERVE_BENCH_TRIALS ?? 5);
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 5);
const ORIGIN = 'https://app.example.com';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Starts `cmd` pinned to `cpu`, its stdout in a file (so that no reader competes for a CPU), and waits for `ready` there. */
async function startPinned(cpu: number, cmd: string, args: string[], ready: RegExp | null, logFile: string): Promise<ChildProcess> {
  const fd = openSync(logFile, 'w');
  const child = spawn('taskset', ['-c', String(cpu), cmd, ...args], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited ${child.exitCode}`);
    if (ready ? ready.test(readFileSync(logFile, 'utf8')) : Date.now() > deadline - 14_500) return child;
    if (Date.now() > deadline) throw new Error(`${cmd} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

interface WrkResult {
  rps: number;
  errors: number;
  /** CPU time the proxy process spent per request (µs): less sensitive to other load on the machine than req/s. */
  cpuUs: number;
}

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

function wrk(port: number, pid: number): WrkResult {
  const before = cpuTicks(pid);
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${SECONDS}s`, '-H', `Origin: ${ORIGIN}`, `http://127.0.0.1:${port}/api/bench`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(r.stdout)?.[1]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  return { rps, errors, cpuUs: ((cpuTicks(pid) - before) * TICK_US) / requests };
}

async function main() {
  const dir = makeTempDir('serve-bench');
  const [upstreamPort, barePort, servePort] = (await freePorts(3)) as [number, number, number];
  // The upstream: nginx answering from memory, with an Access-Control-* header of its own and a Vary.
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, 'temp', t), { recursive: true });
  writeFileSync(
    join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;\nerror_log stderr;\nworker_processes 1;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/temp/${t};`).join('\n')}\n  keepalive_requests 1000000;\n  server {\n    listen 127.0.0.1:${upstreamPort};\n    location / {\n      add_header Access-Control-Allow-Origin * always;\n      add_header Vary Accept-Encoding always;\n      return 200 "upstream says hello\\n";\n    }\n  }\n}\n`,
  );
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, `version: 1\npolicies:\n  api:\n    origins: [${ORIGIN}]\n    credentials: true\n    exposeHeaders: [X-Request-Id]\n    paths: [/api/]\n`);

  const upstream = await startPinned(1, 'nginx', ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], null, join(dir, 'nginx.log'));
  const bare = await startPinned(0, process.execPath, [join(__dirname, 'bare-proxy.mjs'), String(barePort), String(upstreamPort)], /listening/, join(dir, 'bare.log'));
  const serve = await startPinned(0, process.execPath, [join(root, 'bin', 'cors-gen.js'), 'serve', policy, '--listen', `127.0.0.1:${servePort}`, '--upstream', `http://127.0.0.1:${upstreamPort}/`], /listening on/, join(dir, 'serve.log'));
  try {
    const results = { bare: [] as WrkResult[], serve: [] as WrkResult[] };
    // Warm-up (JIT, keep-alive pools), not counted.
    wrk(barePort, bare.pid!);
    wrk(servePort, serve.pid!);
    for (let i = 0; i < TRIALS; i++) {
      const order: ['bare' | 'serve', number, number][] = i % 2 === 0 ? [['bare', barePort, bare.pid!], ['serve', servePort, serve.pid!]] : [['serve', servePort, serve.pid!], ['bare', barePort, bare.pid!]];
      for (const [name, port, pid] of order) results[name].push(wrk(port, pid));
    }
    const fmt = (rs: WrkResult[]) => `${Math.round(Math.min(...rs.map((r) => r.rps)))}–${Math.round(Math.max(...rs.map((r) => r.rps)))} req/s (median ${Math.round(median(rs.map((r) => r.rps)))})`;
    const ratio = median(results.serve.map((r) => r.rps)) / median(results.bare.map((r) => r.rps));
    const pairs = results.serve.map((s, i) => s.rps / results.bare[i]!.rps);
    const errors = [...results.bare, ...results.serve].reduce((a, r) => a + r.errors, 0);
    console.log(`serve vs bare Node proxy (wrk -c50, ${TRIALS} interleaved trials of ${SECONDS} s, proxy on CPU 0, wrk+upstream on CPU 1):`);
    console.log(`  bare proxy ${fmt(results.bare)}`);
    console.log(`  cors-gen serve ${fmt(results.serve)}`);
    const cpu = (rs: WrkResult[]) => `${Math.min(...rs.map((r) => r.cpuUs)).toFixed(0)}–${Math.max(...rs.map((r) => r.cpuUs)).toFixed(0)} µs (median ${median(rs.map((r) => r.cpuUs)).toFixed(0)})`;
    // Each pair ran back to back, so its ratio is less moved by the machine's load drifting between trials.
    const cpuPairs = results.serve.map((s, i) => results.bare[i]!.cpuUs / s.cpuUs);
    console.log(
      `  CPU per request: bare ${cpu(results.bare)}, serve ${cpu(results.serve)}; bare/serve x${(median(results.bare.map((r) => r.cpuUs)) / median(results.serve.map((r) => r.cpuUs))).toFixed(2)} (per trial pair ${Math.min(...cpuPairs).toFixed(2)}–${Math.max(...cpuPairs).toFixed(2)}, median ${median(cpuPairs).toFixed(2)})`,
    );
    console.log(`  throughput ratio serve/bare: x${ratio.toFixed(2)} (per trial pair ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}); goal >= 0.90; errors under load: ${errors}`);
  } finally {
    await stop(serve);
    await stop(bare);
    await stop(upstream);
    removeDir(dir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
