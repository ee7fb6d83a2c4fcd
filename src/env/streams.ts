// Output streams that fail (docs/contract.md §3): a full disk or a broken device behind stdout ends the
// run with one line and exit 2, since the output was lost; a reader that closed the pipe early
// (`| head`) chose to stop reading, so the run keeps its own exit code. Never a stack trace.
import { causeOf } from './errors.js';

export const EXIT_ENVIRONMENT = 2;

function lost(stream: 'standard output' | 'standard error', e: NodeJS.ErrnoException): never {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (stream === 'standard output') {
    try {
      process.stderr.write(`cors-gen: ${stream}: cannot write: ${causeOf(e)}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left
    }
  }
  process.exit(EXIT_ENVIRONMENT);
}

/** Whether an error thrown by a write is one of stdout's or stderr's own. */
export function isStreamError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException | null;
  return !!err?.code && (err.syscall === 'write' || err.code === 'EPIPE') && err.path === undefined;
}

export function guardStreams(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => lost('standard output', e));
  process.stderr.on('error', (e: NodeJS.ErrnoException) => lost('standard error', e));
}

/** A write error that surfaced synchronously, inside a command. */
export function streamFailed(e: NodeJS.ErrnoException): never {
  return lost('standard output', e);
}
