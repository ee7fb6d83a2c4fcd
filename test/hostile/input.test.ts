// Hostile input (issue 9 items 2, 3 and 6; docs/contract.md §1, §3): a policy path that is a device, a FIFO
// or too large; keys, values and file names that try to forge diagnostics or CI annotations or to
// write escape sequences to the terminal; failing output streams; and the smaller inconsistencies.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, bigPolicy, expectClean, POLICY, remove, run, runAsync, workDir, write } from './harness.js';

const work = workDir('hostile-in');
afterAll(() => remove(work));
const at = { cwd: work };

/** Every character docs/contract.md §3 says must never appear raw in a diagnostic. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const DIAGNOSTIC_LINE = /^.+:\d+:\d+: (error|warning): .+ \[[a-z]+(-[a-z]+)*\]$/;

describe('the policy path', () => {
  it('/dev/zero is refused at once (exit 2, one line), not read into memory', () => {
    const r = run(at, 'validate', '/dev/zero');
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('/dev/zero:1:1: error: the policy file is a character device, not a regular file [read-file]\n');
  });

  it('a FIFO without a writer is refused without waiting for one', () => {
    spawnSync('mkfifo', [join(work, 'fifo.yaml')]);
    const r = run({ ...at, timeout: 10_000 }, 'fifo.yaml', '--target', 'nginx');
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fifo.yaml:1:1: error: the policy file is a FIFO (named pipe), not a regular file [read-file]\n');
  });

  it('a directory, and a missing file, read well', () => {
    mkdirSync(join(work, 'adir'));
    expect(run(at, 'validate', 'adir').stderr).toBe('adir:1:1: error: the policy file is a directory, not a regular file [read-file]\n');
    expect(run(at, 'validate', 'missing.yaml').stderr).toBe('missing.yaml:1:1: error: the policy file does not exist [read-file]\n');
  });

  it('an unreadable policy (as nobody): one line naming it and the cause, exit 2', () => {
    write(work, 'secret.yaml', POLICY);
    chmodSync(join(work, 'secret.yaml'), 0o000);
    const r = run({ ...at, nobody: true }, 'secret.yaml', '--target', 'nginx');
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('secret.yaml:1:1: error: the policy file cannot be read: permission denied (EACCES) [read-file]\n');
  });

  it('a file above 32 MiB is refused (exit 2, one line) without being read', () => {
    const path = join(work, 'huge.yaml');
    writeFileSync(path, '');
    truncateSync(path, 32 * 1024 * 1024 + 1); // sparse: nothing to read, only the size counts
    const r = run(at, 'validate', 'huge.yaml');
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('huge.yaml:1:1: error: the policy file is larger than 32 MiB, the most a policy file may hold [read-file]\n');
  });

  it('a policy above 16 MiB (450,000 origins) is accepted, as the contract promises', async () => {
    const text = bigPolicy(450_000);
    expect(text.length).toBeGreaterThan(16 * 1024 * 1024);
    write(work, 'sixteen.yaml', text);
    // Asynchronously: a minute-long spawnSync would block the test worker's own messages to vitest.
    const r = await runAsync({ ...at, timeout: 240_000 }, 'validate', 'sixteen.yaml');
    expectClean(r);
    expect(r.code).toBe(0);
  }, 300_000);
});

describe('forged output: every diagnostic is one line, user text escaped', () => {
  const FORGERIES = [
    // A key whose newline would start a GitHub workflow command and a fake diagnostic.
    '    "x\\n::error file=app.js,line=1::forged\\np.yaml:1:1: error: forged [fake]": 1',
    // Escape sequences that erase the real error on a terminal.
    '    origins: ["https://a.example.com\\e[2K\\e[1A\\rOK"]',
    // Bidi overrides, NUL, NEL and the line and paragraph separators.
    '    methods: ["GET\\u202eTEG", "A\\0B", "C\\NC", "D\\LD", "E\\PE", "F\\u2066G\\u200fH\\u061c"]',
    '    allowHeaders: ["X-\\u001b]0;title\\u0007"]',
    '    dangerouslyAllow: ["null-origin\\u2028::error::x"]',
  ];
  const text = ['version: 1', 'policies:', '  api:', ...FORGERIES, ''].join('\n');

  it('text: one line per diagnostic, nothing raw, no line that starts a workflow command', () => {
    write(work, 'forged.yaml', text);
    const r = run(at, 'validate', 'forged.yaml');
    expectClean(r);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(FORGERIES.length);
    for (const line of lines) {
      expect(line).toMatch(DIAGNOSTIC_LINE);
      expect(line).toMatch(/^forged\.yaml:/);
      expect(line).not.toMatch(RAW_CONTROL);
    }
    expect(r.stderr).toContain('\\n::error file=app.js');
    expect(r.stderr).toContain('\\e[2K');
    expect(r.stderr).toContain('\\u202e');
    expect(r.stderr).toContain('\\u2028');
  });

  it('json: the same messages, each with its rule and messageId', () => {
    const r = run(at, 'validate', 'forged.yaml', '--format', 'json');
    const parsed = JSON.parse(r.stdout) as { message: string; rule: string; messageId: string }[];
    expect(parsed.length).toBeGreaterThanOrEqual(FORGERIES.length);
    for (const d of parsed) {
      expect(d.message).not.toMatch(RAW_CONTROL);
      expect(d.rule).toMatch(/^[a-z-]+$/);
      expect(d.messageId).toMatch(/^[a-z-]+$/);
    }
  });

  it('a file name with a newline and an escape is printed escaped', () => {
    const name = 'bad\n::error::x\u001b[2K.yaml';
    writeFileSync(join(work, name), 'version: 2\npolicies: {}\n');
    const r = run(at, 'validate', name);
    expect(r.code).toBe(2);
    for (const line of r.stderr.split('\n').slice(0, -1)) {
      expect(line).toMatch(/^bad\\n::error::x\\e\[2K\.yaml:\d+:\d+: /);
      expect(line).not.toMatch(RAW_CONTROL);
    }
    expect(run(at, 'validate', 'no\nsuch\u202e.yaml').stderr).toBe('no\\nsuch\\u202e.yaml:1:1: error: the policy file does not exist [read-file]\n');
  });

  it('explain escapes the origin it was given', () => {
    write(work, 'policy.yaml', POLICY);
    const r = run(at, 'explain', 'policy.yaml', '--origin', 'https://app.example.com\u001b[2K\nResult: ALLOWED');
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout.match(/^Result: /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/Result: BLOCKED\n$/);
  });
});

/** bash -c, without blocking the test worker (its stderr is what these tests read). */
function shAsync(cmd: string): Promise<{ stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', () => resolve({ stderr }));
  });
}

describe('output streams that fail', () => {
  it('stdout on a full disk (/dev/full): one line, exit 2, never 0 or 1', () => {
    write(work, 'policy.yaml', POLICY);
    for (const args of [['policy.yaml', '--target', 'nginx'], ['validate', 'policy.yaml', '--format', 'json'], ['--help']]) {
      const full = openSync('/dev/full', 'w');
      const r = run({ ...at, stdout: full }, ...args);
      closeSync(full);
      expectClean(r);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe('cors-gen: standard output: cannot write: no space left on device (ENOSPC)\n');
    }
  });

  it('stderr on a full disk: exit 2', () => {
    write(work, 'policy.yaml', POLICY);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" policy.yaml --target nginx --out err-full 2>/dev/full`], { cwd: work, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });

  it('a reader that closes the pipe early keeps the run\'s own exit code (1 for drift), without a stack trace', async () => {
    write(work, 'big-a.yaml', bigPolicy(3000, 'a.example'));
    write(work, 'big-b.yaml', bigPolicy(3000, 'b.example'));
    expect(run(at, 'big-a.yaml', '--target', 'nginx', '--out', 'piped').code).toBe(0);
    const sh = (cmd: string) => shAsync(`${cmd}; echo "exit=\${PIPESTATUS[0]}" >&2`);
    const drift = await sh(`"${process.execPath}" "${BIN}" big-b.yaml --target nginx --out piped --check | head -c 100 >/dev/null`);
    expect(drift.stderr).toMatch(/exit=1\n$/);
    expect(drift.stderr).not.toMatch(/\n\s+at /);
    const ok = await sh(`"${process.execPath}" "${BIN}" big-b.yaml --target nginx | head -c 100 >/dev/null`);
    expect(ok.stderr).toBe('exit=0\n');
  });
});

describe('the smaller inconsistencies of issue 9', () => {
  it('init into a missing directory: one line, exit 2', () => {
    const r = run(at, 'init', 'no-such-dir/policy.yaml');
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cors-gen: no-such-dir/policy.yaml: cannot be written: the directory no-such-dir does not exist\n');
    expect(run(at, 'init', 'policy.yaml').stderr).toBe('cors-gen: policy.yaml: already exists; not overwriting it\n');
  });

  it('init without an installed cors-gen (npx) writes a relative, committable $schema', () => {
    const project = join(work, 'project');
    mkdirSync(join(project, 'config'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}\n');
    expect(run({ cwd: project }, 'init', 'cors.yaml').code).toBe(0);
    expect(readFileSync(join(project, 'cors.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=node_modules\/cors-gen\/schemas\/policy\.schema\.json\n/);
    expect(run({ cwd: project }, 'init', 'config/cors.yaml').code).toBe(0);
    expect(readFileSync(join(project, 'config', 'cors.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/cors-gen\/schemas\/policy\.schema\.json\n/);
  });

  it('explain upper-cases the six methods fetch normalizes, and says so', () => {
    write(work, 'put.yaml', 'version: 1\npolicies:\n  api:\n    origins: [https://app.example.com]\n    methods: [PUT, patch]\n');
    const put = run(at, 'explain', 'put.yaml', '--origin', 'https://app.example.com', '--method', 'put');
    expect(put.stdout).toContain('Browsers send put as PUT');
    expect(put.stdout).toMatch(/Result: ALLOWED\n$/);
    // patch is not normalized: sent as written, and the policy's "patch" matches it exactly.
    const patch = run(at, 'explain', 'put.yaml', '--origin', 'https://app.example.com', '--method', 'patch');
    expect(patch.stdout).not.toContain('Browsers send');
    expect(patch.stdout).toMatch(/Result: ALLOWED\n$/);
    const upper = run(at, 'explain', 'put.yaml', '--origin', 'https://app.example.com', '--method', 'PATCH');
    expect(upper.stdout).toMatch(/Result: BLOCKED\n$/);
  });

  it('a duplicate key is reported, and the other checks report their errors in the same run', () => {
    write(work, 'dup.yaml', 'version: 1\npolicies:\n  api:\n    origins: [https://A.example.com]\n    methods: [TRACE]\n    origins: [https://b.example.com/]\n');
    const r = run(at, 'validate', 'dup.yaml');
    expect(r.code).toBe(2);
    const rules = r.stderr.split('\n').slice(0, -1).map((l) => /\[([a-z-]+)\]$/.exec(l)![1]);
    expect(rules).toEqual(['origin-syntax', 'method-forbidden', 'duplicate-key', 'origin-syntax']);
    expect(existsSync(join(work, 'dup.yaml'))).toBe(true);
  });
});
