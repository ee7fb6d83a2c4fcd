// A git repository holding this working tree as it is now (tracked and new files, not ignored
// ones), committed and tagged v<version>: what a user pins in a git URL or a pre-commit config.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=cors-gen tests', '-c', 'user.email=tests@cors-gen.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function snapshotRepository(dir: string): { dir: string; sha: string; tag: string } {
  const files = git(root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(root, f), join(dir, f));
    chmodSync(join(dir, f), statSync(join(root, f)).mode);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'snapshot of the working tree');
  const tag = `v${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`;
  git(dir, 'tag', tag);
  return { dir, sha: git(dir, 'rev-parse', 'HEAD').trim(), tag };
}
