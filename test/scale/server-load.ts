// Manual measurement (not part of npm test: minutes and gigabytes): whether each real server loads
// the files cors-gen generated for a huge allow-list. Usage, after generating them with
//   cors-gen big.yaml --target <t> --out <dir>/<t>
// run: npx vite-node test/scale/server-load.ts <dir> <policy-name> <last-origin> [<target> …] (every
// registered target without one)
// It writes a server configuration that includes <dir>/<t>/ as docs/contract.md §4 says and runs the
// server's own check (nginx -t, apache2 -t, caddy validate) under /usr/bin/time -v, printing the
// exit status, wall time and peak RSS; then starts the server in front of a test upstream and times
// a preflight from the last origin (allowed) and from one outside the list (refused).
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { freePorts } from '../harness/ports.js';
import { startServer } from '../harness/process.js';
import { startUpstream } from '../harness/upstream.js';
import { join } from 'node:path';
import { handOver, makeTempDir, removeDir } from '../harness/process.js';
import { DRIVERS } from '../servers/drivers.js';
import { TARGET_NAMES, type TargetName } from '../../src/targets/types.js';

const [outDir, policy, lastOrigin, ...targets] = process.argv.slice(2);

function preflight(port: number, origin: string): Promise<{ status: number; ms: number; acao: string | undefined }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'OPTIONS', path: '/', headers: { origin, 'access-control-request-method': 'PUT' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Math.round((performance.now() - t0) * 10) / 10, acao: res.headers['access-control-allow-origin'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}
const upstream = await startUpstream();
if (!outDir || !policy || !lastOrigin) throw new Error('usage: server-load.ts <dir> <policy> <last-origin> [targets…]');
for (const target of (targets.length > 0 ? targets : TARGET_NAMES) as TargetName[]) {
  const dir = makeTempDir(`${target}-load`);
  const corsDir = join(outDir, target);
  const [port] = await freePorts(1);
  // One site: each driver's first layout is the plain include of docs/contract.md §4.
  const { driver } = DRIVERS[target];
  const configPath = driver.writeConfig({ dir, corsDir, sites: [{ policy, port: port! }], upstreamPort: upstream.port });
  handOver(dir);
  const spec = driver.syntaxCheck({ dir, configPath });
  const r = spawnSync('/usr/bin/time', ['-v', spec.cmd, ...spec.args], { env: { ...process.env, ...spec.env }, cwd: spec.cwd, encoding: 'utf8', maxBuffer: 1 << 26, ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}) });
  const out = `${r.stdout}${r.stderr}`;
  const pick = (re: RegExp) => re.exec(out)?.[1] ?? '?';
  console.log(
    `${target}: exit ${pick(/Exit status: (\d+)/)}, wall ${pick(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/)}, peak RSS ${Math.round(Number(pick(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024)} MiB`,
  );
  console.log(out.split('\n').filter((l) => !/^\s/.test(l) && l.trim() !== '').slice(0, 5).join('\n'));
  const t0 = performance.now();
  const server = await startServer(driver.run({ dir, configPath }), [port!], 600_000);
  console.log(`${target}: listening after ${Math.round((performance.now() - t0) / 100) / 10} s`);
  for (const o of [lastOrigin, lastOrigin, 'https://not-listed.example.com']) {
    const r = await preflight(port!, o).catch((e: Error) => `${e.message}; server log: ${server.log().slice(-1500)}`);
    console.log(`${target}: preflight from ${o}: ${JSON.stringify(r)}`);
  }
  const rss = spawnSync('ps', ['-o', 'rss=', '--ppid', String(server.pid), '-p', String(server.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
  console.log(`${target}: server processes' RSS ${rss.map((k) => Math.round(k / 1024)).join(' + ')} MiB`);
  await server.stop();
  removeDir(dir);
}
await upstream.close();
