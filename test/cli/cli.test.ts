// The command line as users run it: the built bin in a child process (npm test builds first).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../../src/targets/registry.js';

const BIN = join(__dirname, '..', '..', 'bin', 'cors-gen.js');
const work = mkdtempSync(join(tmpdir(), 'cors-gen-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function policyFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return name;
}

const GOOD = `version: 1
policies:
  api:
    origins: [https://app.example.com]
    credentials: true
  public:
    origins: "*"
`;

const EXPECTED_FILES = { nginx: ['api.conf', 'http.conf', 'public.conf'], apache: ['api.conf', 'public.conf'], caddy: ['cors.caddy'] } as const;

describe('usage', () => {
  it('--help and --version exit 0', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
    const version = run('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
  });

  it('bad usage exits 2 with empty stdout and no stack trace', () => {
    const f = policyFile('good.yaml', GOOD);
    for (const args of [[f], [f, '--target', 'iis'], [f, '--target', 'nginx', '--check'], [f, '--target', 'nginx', '--bogus'], []]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a missing policy file is a diagnostic, exit 2', () => {
    const r = run('nope.yaml', '--target', 'nginx');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nope.yaml:1:1: error: the policy file does not exist [read-file]\n');
  });
});

describe('diagnostics', () => {
  const bad = policyFile(
    'bad.yaml',
    `version: 1
policies:
  api:
    origins: [https://app.example.com/, "*"]
    allowedHeaders: [X-A]
`,
  );

  it('reports every problem at once, in file:line:column format, exit 2, nothing on stdout', () => {
    const r = run(bad, '--target', 'nginx');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'bad.yaml:4:15: error: origin "https://app.example.com/" has a path or a trailing slash; an origin is only scheme://host[:port]; write https://app.example.com [origin-syntax]',
      'bad.yaml:4:41: error: "*" inside an origins list; write origins: "*" (without a list) to allow every origin [origin-list-wildcard]',
      'bad.yaml:5:5: error: unknown key "allowedHeaders" in policy "api" (did you mean allowHeaders?) [unknown-key]',
    ]);
  });

  it('--format json prints the diagnostics as a JSON array on stdout', () => {
    const r = run('validate', bad, '--format', 'json');
    expect(r.code).toBe(2);
    const parsed = JSON.parse(r.stdout);
    expect(parsed).toHaveLength(3);
    expect(parsed[2]).toEqual({ file: 'bad.yaml', line: 5, column: 5, severity: 'error', rule: 'unknown-key', messageId: 'unknown-key', message: 'unknown key "allowedHeaders" in policy "api" (did you mean allowHeaders?)' });
  });

  it('validate exits 0 on a clean policy, printing nothing', () => {
    const r = run('validate', policyFile('good.yaml', GOOD));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(run('validate', 'good.yaml', '--format', 'json').stdout)).toEqual([]);
  });

  it('warnings do not fail a run; --strict makes them errors', () => {
    const warn = policyFile('warn.yaml', 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n    methods: [GET, OPTIONS]\n');
    const lenient = run('validate', warn);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^warn\.yaml:5:20: warning: .*\[options-method\]\n$/);
    const strict = run('validate', warn, '--strict');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^warn\.yaml:5:20: error: .*\[options-method\]\n$/);
    expect(run(warn, '--target', 'nginx', '--strict').stdout).toBe('');
  });
});

describe.each([...TARGET_NAMES])('%s output', (target) => {
  const policy = policyFile(`good-${target}.yaml`, GOOD);

  it('prints every file to stdout, each introduced by a comment naming it and where it is included', () => {
    const r = run(policy, '--target', target);
    expect(r.code).toBe(0);
    const intros = [...r.stdout.matchAll(/^# ==> (\S+): (.+)$/gm)].map((m) => m[1]);
    expect(intros.sort()).toEqual([...EXPECTED_FILES[target]]);
    expect(r.stdout).toContain('# Generated by cors-gen');
  });

  it('is deterministic, and YAML comments or formatting do not change the output', () => {
    const a = run(policy, '--target', target).stdout;
    const b = run(policy, '--target', target).stdout;
    const reformatted = policyFile(`reformatted-${target}.yaml`, `# a comment\n${GOOD.replace('[https://app.example.com]', '\n      - https://app.example.com   # trusted')}`);
    expect(b).toBe(a);
    expect(run(reformatted, '--target', target).stdout).toBe(a);
  });

  it('--out writes the files, removes stale ones, never touches foreign files; --check finds drift', () => {
    const dir = `out-${target}`;
    expect(run(policy, '--target', target, '--out', dir, '--check').code).toBe(1); // missing dir
    const w = run(policy, '--target', target, '--out', dir);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('');
    expect(readdirSync(join(work, dir)).sort()).toEqual([...EXPECTED_FILES[target]]);
    expect(run(policy, '--target', target, '--out', dir, '--check')).toMatchObject({ code: 0, stdout: '' });

    // A hand edit is drift, shown as a unified diff.
    const first = join(work, dir, EXPECTED_FILES[target][0]);
    writeFileSync(first, `${readFileSync(first, 'utf8')}# hand edit\n`);
    const drift = run(policy, '--target', target, '--out', dir, '--check');
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/^-# hand edit$/m);
    expect(drift.stdout).toMatch(/^@@ /m);

    // A missing file is drift too.
    const second = join(work, dir, EXPECTED_FILES[target].at(-1)!);
    rmSync(second);
    const missing = run(policy, '--target', target, '--out', dir, '--check');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^--- \/dev\/null$/m);
    expect(run(policy, '--target', target, '--out', dir).code).toBe(0);

    // An invalid policy is exit 2 for --check as well, with nothing on stdout.
    const invalid = policyFile(`invalid-${target}.yaml`, 'version: 2\npolicies: {}\n');
    expect(run(invalid, '--target', target, '--out', dir, '--check')).toMatchObject({ code: 2, stdout: '' });

    // A stale generated file is drift and is removed by the next write; a foreign file stays.
    const onePolicy = policyFile(`one-${target}.yaml`, 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n');
    writeFileSync(join(work, dir, 'notes.txt'), 'mine\n');
    const stale = run(onePolicy, '--target', target, '--out', dir, '--check');
    expect(stale.code).toBe(1);
    expect(run(onePolicy, '--target', target, '--out', dir).code).toBe(0);
    expect(readFileSync(join(work, dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(run(onePolicy, '--target', target, '--out', dir, '--check').code).toBe(0);
    if (target !== 'caddy') expect(existsSync(join(work, dir, 'public.conf'))).toBe(false);
  });

  it('refuses to overwrite a file cors-gen did not write', () => {
    const dir = `foreign-${target}`;
    mkdirSync(join(work, dir));
    const victim = join(work, dir, EXPECTED_FILES[target][0]);
    writeFileSync(victim, 'hand written\n');
    const r = run(policy, '--target', target, '--out', dir);
    expect(r.code).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('hand written\n');
  });
});

describe('init and explain', () => {
  it('init writes a starter policy that validates cleanly, and never overwrites', () => {
    const r = run('init', 'starter.yaml');
    expect(r.code).toBe(0);
    const text = readFileSync(join(work, 'starter.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+policy\.schema\.json\n/);
    expect(run('validate', 'starter.yaml')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(run('init', 'starter.yaml').code).toBe(2);
    expect(readFileSync(join(work, 'starter.yaml'), 'utf8')).toBe(text);
  });

  it('explain tells allowed from blocked and needs --policy when the file has several', () => {
    const f = policyFile('explain.yaml', GOOD);
    const allowed = run('explain', f, '--policy', 'api', '--origin', 'https://app.example.com', '--credentials');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/Result: ALLOWED\n$/);
    const blocked = run('explain', f, '--policy', 'api', '--origin', 'https://app.example.com.evil.test', '--method', 'PUT');
    expect(blocked.stdout).toContain('403 Forbidden');
    expect(blocked.stdout).toMatch(/Result: BLOCKED\n$/);
    const ambiguous = run('explain', f, '--origin', 'https://app.example.com');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('--policy <api|public>');
  });
});

describe('pipes', () => {
  it('a reader that stops early (| head) causes no stack trace', () => {
    const f = policyFile('pipe.yaml', GOOD);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${f} --target nginx | head -c 10 >/dev/null; "${process.execPath}" "${BIN}" --help | head -c 10 >/dev/null`], { cwd: work, encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });
});

describe('the built command on its own', () => {
  it('needs nothing from node_modules: a copy of bin/, dist/ and package.json checks a regex and a wildcard', () => {
    // An installed cors-gen has no dependencies of its own (README, Quick start): every library the
    // command line uses must be in dist/cli.cjs, including those loaded on first use (src/lazy.ts).
    const root = join(__dirname, '..', '..');
    const copy = join(work, 'installed');
    for (const part of ['bin', 'dist']) cpSync(join(root, part), join(copy, part), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    const f = policyFile('alone.yaml', "version: 1\npolicies:\n  api:\n    origins: [https://*.example.com, {regex: '^https://pr-[0-9]+\\.preview\\.example\\.net$'}]\n");
    const r = spawnSync(process.execPath, [join(copy, 'bin', 'cors-gen.js'), f, '--target', 'nginx'], { cwd: work, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pr-[0-9]+');
  });
});
