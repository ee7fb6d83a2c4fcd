// pre-commit for real: Debian's pre-commit installs this repository's hook (.pre-commit-hooks.yaml)
// from a snapshot of it, pinned by commit as a user's .pre-commit-config.yaml pins a tag, into a
// sample infrastructure repository; `git commit` then runs it. A clean commit passes; a commit whose
// generated files drifted from the policy fails with the diff and is not made. (`pre-commit
// try-repo` cannot pass the hook's args, which this hook needs.) The hook's first run installs
// cors-gen in pre-commit's clone with npm ci: packages come from npm's cache or the registry.
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../harness/exec.js';
import { snapshotRepository } from '../harness/snapshot.js';

const root = join(__dirname, '..', '..');
const BIN = join(root, 'bin', 'cors-gen.js');
const work = mkdtempSync(join(tmpdir(), 'cors-gen-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = { ...process.env, PRE_COMMIT_HOME: join(work, 'pre-commit-home'), npm_config_prefer_offline: 'true', GIT_CONFIG_NOSYSTEM: '1', HOME: join(work, 'home') };
mkdirSync(env.HOME);
writeFileSync(join(env.HOME, '.gitconfig'), '[user]\n\tname = cors-gen tests\n\temail = tests@cors-gen.invalid\n[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n');

async function run(cmd: string, args: string[], cwd: string) {
  const r = await exec(cmd, args, { cwd, env, timeoutMs: 280_000 });
  return { code: r.code, output: `${r.stdout}${r.stderr}` };
}
const head = async (repo: string) => (await run('git', ['rev-parse', 'HEAD'], repo)).output.trim();

describe('the pre-commit hook in a sample infrastructure repository', () => {
  const infra = join(work, 'infra');

  it('the hook is what the README configures', () => {
    const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; language: string; entry: string; pass_filenames: boolean }[];
    expect(hooks.map((h) => h.id)).toEqual(['cors-gen-check']);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('      - id: cors-gen-check\n        args: [cors/policy.yaml, --target, nginx, --out, nginx/cors]');
  });

  it('a clean commit passes; a drifted one fails with the diff and is not made', async () => {
    const repo = snapshotRepository(join(work, 'cors-gen-repo'));
    mkdirSync(join(infra, 'cors'), { recursive: true });
    expect((await run('git', ['init', '-q'], infra)).code).toBe(0);
    copyFileSync(join(root, 'examples', 'public-api.yaml'), join(infra, 'cors', 'policy.yaml'));
    expect((await run(process.execPath, [BIN, 'cors/policy.yaml', '--target', 'nginx', '--out', 'nginx/cors'], infra)).code).toBe(0);
    writeFileSync(
      join(infra, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${repo.dir}\n    rev: ${repo.sha}\n    hooks:\n      - id: cors-gen-check\n        args: [cors/policy.yaml, --target, nginx, --out, nginx/cors]\n`,
    );
    const install = await run('pre-commit', ['install'], infra);
    expect(install.code, install.output).toBe(0);

    // 1. Policy and generated files agree: the commit is made.
    await run('git', ['add', '-A'], infra);
    const clean = await run('git', ['commit', '-m', 'CORS policy and its nginx files'], infra);
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).toMatch(/cors-gen drift check\.+Passed/);
    const cleanHead = await head(infra);

    // 2. A generated file edited by hand: the hook fails with the diff; no commit.
    appendFileSync(join(infra, 'nginx', 'cors', 'public.conf'), 'add_header X-Hand-Edit 1;\n');
    await run('git', ['add', '-A'], infra);
    const edited = await run('git', ['commit', '-m', 'hand edit'], infra);
    expect(edited.code).not.toBe(0);
    expect(edited.output).toMatch(/cors-gen drift check\.+Failed/);
    expect(edited.output).toContain('- exit code: 1');
    expect(edited.output).toContain('--- a/public.conf\n+++ b/public.conf\n');
    expect(edited.output).toContain('-add_header X-Hand-Edit 1;');
    expect(await head(infra)).toBe(cleanHead);

    // 3. The policy changed without regenerating: fails too; regenerating makes it pass.
    await run('git', ['reset', '-q', '--hard'], infra);
    writeFileSync(join(infra, 'cors', 'policy.yaml'), readFileSync(join(infra, 'cors', 'policy.yaml'), 'utf8').replace('maxAge: 7200', 'maxAge: 600'));
    await run('git', ['add', '-A'], infra);
    const policyOnly = await run('git', ['commit', '-m', 'shorter preflight cache'], infra);
    expect(policyOnly.code).not.toBe(0);
    expect(policyOnly.output).toMatch(/--- a\/http\.conf\n\+\+\+ b\/http\.conf\n/);
    expect(policyOnly.output).toContain('-    preflight "7200";\n+    preflight "600";');
    expect(await head(infra)).toBe(cleanHead);
    expect((await run(process.execPath, [BIN, 'cors/policy.yaml', '--target', 'nginx', '--out', 'nginx/cors'], infra)).code).toBe(0);
    await run('git', ['add', '-A'], infra);
    const regenerated = await run('git', ['commit', '-m', 'shorter preflight cache, regenerated'], infra);
    expect(regenerated.code, regenerated.output).toBe(0);
    expect(await head(infra)).not.toBe(cleanHead);
  }, 300_000);
});
