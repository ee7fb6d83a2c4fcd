// The built CLI against a real file system: links, FIFOs, permissions (as the unprivileged user
// nobody, since the tests run as root, for whom permissions do not bite), full disks.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'cors-gen.js');
export const NOBODY = 65534;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Run as nobody (uid and gid 65534). */
  nobody?: boolean;
  /** A file descriptor or path for stdout (e.g. /dev/full); default: a pipe. */
  stdout?: number | 'pipe';
  /** Killed after this many ms (a hang fails the test instead of stalling it). */
  timeout?: number;
}

export function run(opts: RunOptions, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeout ?? 20_000,
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
    ...(opts.nobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The same, without waiting: for concurrent runs. */
export function runAsync(opts: RunOptions, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A work directory that nobody can enter (mkdtemp makes it 0700). */
export function workDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cors-gen-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

export function write(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

export const listing = (dir: string): string[] => readdirSync(dir).sort();

/** No stack trace, every line of stderr one message. */
export function expectClean(r: Run): void {
  if (/\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr) || r.stderr.includes('internal error')) throw new Error(`stack trace or internal error:\n${r.stderr}`);
  if (r.signal !== null) throw new Error(`killed by ${r.signal} (a hang?)\n${r.stderr}`);
}

export const POLICY = `version: 1
policies:
  api:
    origins: [https://app.example.com]
    credentials: true
`;

export const OTHER_POLICY = `version: 1
policies:
  api:
    origins: [https://other.example.com]
`;

/** A policy whose nginx output is large (many exact origins). */
export function bigPolicy(n: number, host = 'example.com'): string {
  return ['version: 1', 'policies:', '  api:', '    origins:', ...Array.from({ length: n }, (_, i) => `      - https://app${i}.${host}`), ''].join('\n');
}
