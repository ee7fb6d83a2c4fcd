// Manual measurement (not part of npm test: minutes and gigabytes): whether each real server loads
// the files cors-gen generated for a huge allow-list. Usage, after generating them with
//   cors-gen big.yaml --target <t> --out <dir>/<t>
// run: npx vite-node test/scale/server-load.ts <dir> <policy-name> [nginx|apache|caddy …]
// It writes a server configuration that includes <dir>/<t>/ as contract §4 says and runs the
// server's own check (nginx -t, apache2 -t, caddy validate) under /usr/bin/time -v, printing the
// exit status, wall time and peak RSS.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../harness/process.js';
import { writeNginxConfig } from '../servers/nginx.driver.js';
import { driver as apacheDriver, writeApacheConfig } from '../servers/apache.driver.js';
import { driver as caddyDriver, writeCaddyfile } from '../servers/caddy.driver.js';
import { driver as nginxDriver } from '../servers/nginx.driver.js';
import type { TargetName } from '../../src/targets/types.js';

const [outDir, policy, ...targets] = process.argv.slice(2);
if (!outDir || !policy) throw new Error('usage: server-load.ts <dir> <policy> [targets…]');
for (const target of (targets.length > 0 ? targets : ['nginx', 'apache', 'caddy']) as TargetName[]) {
  const dir = makeTempDir(`${target}-load`);
  const corsDir = join(outDir, target);
  const sites = [{ policy, port: 1 }];
  const configPath =
    target === 'nginx'
      ? writeNginxConfig({ dir, corsDir, upstreamPort: 2, sites: [{ policy, port: 1, layout: 'server' }] })
      : target === 'apache'
        ? writeApacheConfig({ dir, corsDir, upstreamPort: 2, sites: sites.map((s) => ({ ...s, layout: 'plain' as const })) })
        : writeCaddyfile({ dir, corsDir, sites, upstreamPort: 2 });
  const driver = target === 'nginx' ? nginxDriver : target === 'apache' ? apacheDriver : caddyDriver;
  const spec = driver.syntaxCheck({ dir, configPath });
  const r = spawnSync('/usr/bin/time', ['-v', spec.cmd, ...spec.args], { env: { ...process.env, ...spec.env }, cwd: spec.cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = `${r.stdout}${r.stderr}`;
  const pick = (re: RegExp) => re.exec(out)?.[1] ?? '?';
  console.log(
    `${target}: exit ${pick(/Exit status: (\d+)/)}, wall ${pick(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/)}, peak RSS ${Math.round(Number(pick(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024)} MiB`,
  );
  console.log(out.split('\n').filter((l) => !/^\s/.test(l) && l.trim() !== '').slice(0, 5).join('\n'));
  removeDir(dir);
}
