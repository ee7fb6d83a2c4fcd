// Dogfood: every example's generated files are committed beside it (examples/<name>/<target>/,
// written by `npm run examples`), and the drift check the CI integrations run finds no drift.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../../src/targets/registry.js';

const root = join(__dirname, '..', '..');
const BIN = join(root, 'bin', 'cors-gen.js');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
const TARGETS = TARGET_NAMES;

const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('examples', () => {
  it('there are at least three, each with the schema modeline', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const e of examples) expect(readFileSync(join(root, 'examples', `${e}.yaml`), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/policy\.schema\.json\n/);
  });

  it.each(examples)('%s validates without any warning', (e) => {
    expect(run(process.execPath, [BIN, 'validate', `examples/${e}.yaml`, '--strict'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  for (const e of examples) {
    it.each(TARGETS)(`${e}: the committed %s files match the policy (--check)`, (target) => {
      const r = run(process.execPath, [BIN, `examples/${e}.yaml`, '--target', target, '--out', `examples/${e}/${target}`, '--check']);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

describe('CI integrations run the drift check', () => {
  it('the GitHub Action step, with its inputs, passes on an example and fails on drift', () => {
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { runs: { steps: { name?: string; run?: string; env?: Record<string, string> }[] } };
    const step = action.runs.steps.find((s) => s.name === 'Check for drift')!;
    const env = { CORS_GEN: BIN, POLICY: 'examples/multi-tenant.yaml', TARGET: 'caddy', OUT: 'examples/multi-tenant/caddy', STRICT: 'true' };
    expect(Object.keys(step.env!).sort()).toEqual(Object.keys(env).sort());
    expect(run('bash', ['-c', step.run!], env).code).toBe(0);
    expect(run('bash', ['-c', step.run!], { ...env, OUT: 'examples/multi-tenant/nginx' }).code).toBe(1);
  });

  it('the pre-commit hook entry, with the args its README comment shows, passes on an example', () => {
    const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string }[];
    const [cmd, ...entryArgs] = hooks.find((h) => h.id === 'cors-gen-check')!.entry.split(' ');
    expect(cmd).toBe('ci/pre-commit-hook.sh');
    const r = run(join(root, cmd!), [...entryArgs, 'examples/public-api.yaml', '--target', 'nginx', '--out', 'examples/public-api/nginx']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
});
