// Scale (issue 9, item 5): 1,000,000 exact origins. A policy file may hold at most 32 MiB
// (src/load/read-policy.ts): 1,000,000 origins written compactly fit, and the command line generates
// them without a crash and within a memory bound; a larger file is refused with exit 2 and one line.
// Costly (minutes on two cores), so generation runs once, for the Apache target, which renders
// fastest: loading, checking, normalizing and writing are the same for every target. nginx is pinned
// separately above the ~125,000 origins where `Math.max(...keys)` used to overflow the call stack.
// Measured for every target (and each server's own check): README, "Large allow-lists".
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../harness/process.js';

const MILLION = 1_000_000;
/** Peak resident memory allowed for the 1,000,000-origin run (measured: 1.8 GiB for apache, 2.7 GiB for nginx and caddy). */
const MEMORY_BOUND_MIB = 3584;
/** 22 bytes at most: a file of 1,000,000 of them stays below the 32 MiB limit. */
const origin = (i: number) => `https://o${i}.test`;
const longOrigin = (i: number) => `https://tenant-${i}.customers.example.com`;

/** Runs node with `args` from the repository root, without blocking the test worker. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('1,000,000 exact origins', () => {
  const dir = makeTempDir('million');
  afterAll(() => removeDir(dir));

  it('cors-gen --target apache generates them (a 26 MiB file) within the memory bound', async () => {
    const policy = join(dir, 'million.yaml');
    const lines = ['version: 1', 'policies:', '  tenants:', '    origins:'];
    for (let i = 1; i <= MILLION; i++) lines.push(`    - ${origin(i)}`);
    lines.push('    credentials: true', '');
    writeFileSync(policy, lines.join('\n'));
    // The child reports its own peak RSS when it exits (resourceUsage().maxRSS is in KiB).
    const report = join(dir, 'maxrss');
    const preload = join(dir, 'report-rss.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)));\n`);
    const out = join(dir, 'out');
    const r = await run(['--require', preload, 'bin/cors-gen.js', policy, '--target', 'apache', '--out', out]);
    const peakMiB = Math.round(Number(readFileSync(report, 'utf8')) / 1024);
    console.log(`cors-gen, ${MILLION.toLocaleString('en')} origins (${Math.round(statSync(policy).size / 2 ** 20)} MiB of YAML), apache: exit ${r.status}, peak RSS ${peakMiB} MiB`);
    expect(r.stdout).toBe('');
    expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    expect(peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
    const conf = readFileSync(join(out, 'tenants.conf'), 'utf8');
    for (const i of [1, MILLION / 2, MILLION]) expect(conf).toContain(`'${origin(i)}'`);
  }, 900_000);

  it('a file above the size limit (1,000,000 longer origins, 49 MiB) is refused with exit 2 and one line', async () => {
    const policy = join(dir, 'too-large.yaml');
    const lines = ['version: 1', 'policies:', '  tenants:', '    origins:'];
    for (let i = 1; i <= MILLION; i++) lines.push(`      - ${longOrigin(i)}`);
    writeFileSync(policy, `${lines.join('\n')}\n`);
    const r = await run(['bin/cors-gen.js', policy, '--target', 'nginx', '--out', join(dir, 'too-large-out')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/larger than 32 MiB/);
  }, 120_000);

  it('cors-gen --target nginx generates 200,000 origins (Math.max(...keys) overflowed the stack above ~125,000)', async () => {
    const policy = join(dir, 'nginx.yaml');
    const lines = ['version: 1', 'policies:', '  tenants:', '    origins:'];
    for (let i = 1; i <= 200_000; i++) lines.push(`    - ${origin(i)}`);
    writeFileSync(policy, `${lines.join('\n')}\n`);
    const out = join(dir, 'nginx-out');
    const r = await run(['bin/cors-gen.js', policy, '--target', 'nginx', '--out', out]);
    expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    expect(readFileSync(join(out, 'http.conf'), 'utf8')).toContain(`"${origin(200_000)}"`);
  }, 300_000);
});
