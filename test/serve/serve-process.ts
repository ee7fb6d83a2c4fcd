// `cors-gen serve` as a child process (bin/cors-gen.js serve …), the way a user runs it: its URL
// read from its first line, its output kept, stopped by its PID, its sockets counted in /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'cors-gen.js');

export interface ServeProcess {
  pid: number;
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** The request lines printed so far (after the listening line). */
  requestLines(): string[];
  /** Waits until stdout holds `count` request lines. */
  waitForRequestLines(count: number): Promise<string[]>;
  /** Waits for a request line that `match` accepts (serve writes its lines in batches) and returns it. */
  waitForRequestLine(match: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the PID and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Open sockets of the process (from /proc/<pid>/fd). */
  sockets(): number;
}

const until = async (what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Starts `cors-gen serve <args>` (add --listen 127.0.0.1:0 to get a free port) and waits for its URL. */
export async function startServe(args: string[], options: { cmd?: string[]; cwd?: string } = {}): Promise<ServeProcess> {
  const [cmd, ...pre] = options.cmd ?? [process.execPath];
  const child: ChildProcess = spawn(cmd!, [...pre, BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const pid = child.pid!;
  try {
    await until('serve to print its URL', () => done || /listening on http:\/\/\S+\//.test(out));
  } catch (e) {
    process.kill(pid, 'SIGKILL');
    throw e;
  }
  const m = /listening on (http:\/\/(?:\[[^\]]+\]|[^:/]+):([0-9]+))\//.exec(out);
  if (!m) throw new Error(`serve did not start:\n${out}${err}`);
  const requestLines = () => out.split('\n').slice(1).filter((l) => l !== '' && !l.startsWith('cors-gen serve:'));
  return {
    pid,
    url: m[1]!,
    port: Number(m[2]),
    stdout: () => out,
    stderr: () => err,
    requestLines,
    waitForRequestLines: async (count) => {
      await until(`${count} request lines`, () => requestLines().length >= count);
      return requestLines();
    },
    waitForRequestLine: async (match) => {
      await until('a matching request line', () => requestLines().some(match));
      return requestLines().find(match)!;
    },
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (!done) process.kill(pid, signal);
      const timer = setTimeout(() => !done && process.kill(pid, 'SIGKILL'), 30_000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
    sockets: () => {
      let n = 0;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
        } catch {
          // closed between the listing and the read
        }
      }
      return n;
    },
  };
}
