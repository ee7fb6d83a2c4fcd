// Errors of the environment (docs/contract.md §3): a file or directory that cannot be read or written, a
// full disk, an output stream that fails. Each ends the run with one line naming the path and the
// cause, exit 2, never a stack trace. Refusals of --out (a foreign file or a link at a generated
// name) are reported the same way: the user must act on the path, not on the policy.
import { escapeControls } from '../text/escape.js';

export class EnvironmentError extends Error {
  constructor(
    /** The file, directory or stream, as the user named it. */
    readonly path: string,
    /** What is wrong with it, in words (no path). */
    override readonly cause: string,
  ) {
    super(`${path}: ${cause}`);
  }

  /** The one line the CLI prints. */
  line(): string {
    return `cors-gen: ${escapeControls(this.path)}: ${escapeControls(this.cause)}`;
  }
}

/** What an errno code means, for a person. */
const CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EEXIST: 'already exists',
  ELOOP: 'is a symbolic link (or too many levels of them)',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  EPIPE: 'the reader closed the pipe',
  EBADF: 'not open',
  EFBIG: 'file too large',
  ENXIO: 'no such device or address',
  EAGAIN: 'would block',
};

export function causeOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code) return CAUSES[code] ? `${CAUSES[code]} (${code})` : code;
  return e instanceof Error ? e.message : String(e);
}

/** Runs `f`; an errno error becomes an EnvironmentError about `path`. */
export function onPath<T>(path: string, doing: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    if ((e as NodeJS.ErrnoException | null)?.code) throw new EnvironmentError(path, `cannot ${doing}: ${causeOf(e)}`);
    throw e;
  }
}
