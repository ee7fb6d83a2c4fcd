// Regenerates the committed output of every example (examples/<name>/<target>/), the way users run
// cors-gen. `npm test` checks them with --check, so a change to the templates shows up as drift here.
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'cors-gen.js');
// The targets are the registry's (src/targets/registry.ts), as the built CLI prints them in its usage line.
const usage = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
const targets = /--target <([a-z|]+)>/.exec(usage)?.[1]?.split('|');
if (!targets) throw new Error(`no --target <…> in the usage of ${bin}`);
for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).sort()) {
  const name = file.replace(/\.yaml$/, '');
  for (const target of targets) {
    execFileSync(process.execPath, [bin, join('examples', file), '--target', target, '--out', join('examples', name, target)], { cwd: root, stdio: 'inherit' });
  }
}
