// The package as published: npm pack holds what a user needs and nothing else, npm publish
// --dry-run has nothing to say, and the tarball installed into an empty folder runs without the
// source tree. Dependencies come from the npm cache `npm ci` filled (the package has none).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../harness/exec.js';
import { TARGET_NAMES } from '../../src/targets/registry.js';

const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'cors-gen-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  engines: { node: string };
  dependencies?: Record<string, string>;
  scripts: Record<string, string>;
};

async function sh(cmd: string, args: string[], cwd: string) {
  const r = await exec(cmd, args, { cwd });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

let packed: { filename: string; files: { path: string }[] }[] = [];
let files: string[] = [];
beforeAll(async () => {
  packed = JSON.parse((await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)).stdout) as typeof packed;
  files = packed[0]!.files.map((f) => f.path).sort();
}, 120_000);
const norm = (p: string) => p.replace(/^\.\//, '');

describe('npm pack', () => {
  it('holds the bundles, their licences, types, schema, problem matcher and the example policies, and nothing else', () => {
    const allowed = [
      /^package\.json$/, /^README\.md$/, /^LICENSE$/,
      /^bin\/cors-gen\.js$/, /^bin\/package\.json$/,
      /^dist\/cli\.cjs$/, /^dist\/cli\.cjs\.v8-cache$/, /^dist\/index\.js$/, /^dist\/THIRD-PARTY-LICENSES\.txt$/,
      /^dist\/types\/.+\.d\.ts$/,
      /^schemas\/policy\.schema\.json$/, /^examples\/[a-z-]+\.yaml$/, /^ci\/github-problem-matcher\.json$/,
    ];
    expect(files.filter((f) => !allowed.some((a) => a.test(f)))).toEqual([]);
    for (const needed of ['dist/cli.cjs', 'dist/index.js', 'dist/types/index.d.ts', 'dist/THIRD-PARTY-LICENSES.txt', 'examples/spa-with-cookies.yaml', 'schemas/policy.schema.json', 'LICENSE']) {
      expect(files, needed).toContain(needed);
    }
  });

  it('package.json: bin, exports and types point into the tarball; engines; no runtime dependency; no install script', () => {
    for (const bin of Object.values(manifest.bin)) expect(files).toContain(norm(bin));
    const main = manifest.exports['.'] as { types: string; default: string };
    expect(files).toContain(norm(main.types));
    expect(files).toContain(norm(main.default));
    expect(norm(manifest.types)).toBe(norm(main.types));
    for (const [, target] of Object.entries(manifest.exports).filter(([k]) => k !== '.')) expect([...files, 'package.json']).toContain(norm(target as string));
    expect(manifest.engines.node).toBe('>=20');
    expect(manifest.dependencies ?? {}).toEqual({});
    // Installing from the registry or a tarball runs nothing: only a git install builds (prepare).
    for (const script of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts[script], script).toBeUndefined();
  });

  it('npm publish --dry-run warns about nothing but the missing login', async () => {
    const r = await sh('npm', ['publish', '--dry-run', '--ignore-scripts'], root);
    const warnings = r.stderr.split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l));
    expect(warnings).toEqual([]);
  }, 120_000);
});

describe('the built CLI', () => {
  it('starts from the V8 code cache the build made beside the bundle (the same Node.js accepts it)', () => {
    const probe = "process.argv = [process.argv[0], 'cors-gen', '--version']; const script = require('./bin/cors-gen.js'); process.on('exit', () => console.error('rejected=' + script.cachedDataRejected));";
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(manifest.version);
    expect(r.stderr.trim()).toBe('rejected=false');
  });
});

describe('npm pack → install → npx cors-gen', () => {
  it('runs from an installed tarball', async () => {
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed[0]!.filename)], app);
    expect(existsSync(join(app, 'node_modules', 'cors-gen', 'src'))).toBe(false);

    expect((await sh('npx', ['--no-install', 'cors-gen', '--version'], app)).stdout.trim()).toBe(manifest.version);
    writeFileSync(join(app, 'policy.yaml'), 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n');
    for (const target of TARGET_NAMES) {
      expect((await sh('npx', ['--no-install', 'cors-gen', 'policy.yaml', '--target', target], app)).stdout).toContain('# Generated by cors-gen');
    }
    await sh('npx', ['--no-install', 'cors-gen', 'init', 'starter.yaml'], app);
    expect(readFileSync(join(app, 'starter.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=node_modules\/cors-gen\/schemas\/policy\.schema\.json/);
  }, 300_000);
});
