// Starting and stopping the real servers. As root (CI), servers run as `nobody`, so their files live
// in a temporary directory that nobody can write. Processes are stopped by the PID we started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, statSync, chmodSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY_UID = 65534;
const NOGROUP_GID = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cors-gen-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Hands a directory tree to the user the servers run as (a no-op when not root). */
export function handOver(dir: string): void {
  if (!asRoot) return;
  const walk = (p: string) => {
    chownSync(p, NOBODY_UID, NOGROUP_GID);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CommandSpec {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

const spawnIdentity = () => (asRoot ? { uid: NOBODY_UID, gid: NOGROUP_GID } : {});

/** Runs a command to completion (syntax checks). */
export function runCommand(spec: CommandSpec): { status: number | null; output: string } {
  const r = spawnSync(spec.cmd, spec.args, {
    env: { ...process.env, ...spec.env },
    cwd: spec.cwd,
    encoding: 'utf8',
    timeout: 30_000,
    ...spawnIdentity(),
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface RunningServer {
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts a server in the foreground and waits until every port accepts connections. */
export async function startServer(spec: CommandSpec, ports: number[], timeoutMs = 15_000): Promise<RunningServer> {
  const child: ChildProcess = spawn(spec.cmd, spec.args, {
    env: { ...process.env, ...spec.env },
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnIdentity(),
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  if (child.pid === undefined) throw new Error(`could not start ${spec.cmd}`);
  const pid = child.pid;

  const stop = async () => {
    if (exited) return;
    process.kill(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000));
    if ((await Promise.race([exitedPromise, timer])) === 'timeout') {
      process.kill(pid, 'SIGKILL');
      await exitedPromise;
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await portOpen(port))) {
      if (exited) throw new Error(`${spec.cmd} exited before listening on ${port}:\n${output}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${spec.cmd} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { pid, log: () => output, stop };
}
