// Stage 6: files on disk (docs/contract.md §3 on --out). Nothing outside DIR is read, written or deleted:
// every generated name is examined with lstat and opened with O_NOFOLLOW (entry.ts); temporary
// files are created with O_EXCL under random names; the whole set is written as temporaries first
// and renamed into place only when every one of them was written; stale files are those whose first
// line is exactly cors-gen's header. A lock file created with O_EXCL in DIR makes concurrent runs
// on one DIR exclusive: the second ends with exit 2 naming DIR instead of mixing two sets.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedFile } from '../compile.js';
import { causeOf, EnvironmentError, onPath } from '../env/errors.js';
import { diffLib } from '../lazy.js';
import { readEntry, type Entry } from './entry.js';

/** Held in DIR while a run writes there. Removed at the end; a killed run leaves it (see README). */
export const LOCK_NAME = '.cors-gen.lock';

const shownPath = (shownDir: string, name: string) => `${shownDir.replace(/\/+$/, '')}/${name}`;

/** Refusal of a generated name, as the one line the CLI prints after the path. */
function refusal(entry: Entry): string | null {
  if (entry.kind === 'foreign') return 'exists and was not written by cors-gen (its first line is not a cors-gen header); refusing to replace it';
  if (entry.kind === 'refused') return `${entry.what}; refusing to replace it`;
  return null;
}

/** 'missing', or 'directory'; anything else at DIR is an environment error. */
function dirState(dir: string, shownDir: string): 'missing' | 'directory' {
  try {
    // stat, not lstat: DIR itself may be a symbolic link to a directory.
    if (statSync(dir).isDirectory()) return 'directory';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new EnvironmentError(shownDir, `cannot be examined: ${causeOf(e)}`);
  }
  throw new EnvironmentError(shownDir, 'is not a directory');
}

/** Names in DIR that are not generated but whose first line is exactly cors-gen's header. */
function staleEntries(dir: string, shownDir: string, files: readonly GeneratedFile[]): { name: string; contents: string }[] {
  const wanted = new Set(files.map((f) => f.path));
  const names = onPath(shownDir, 'list the directory', () => readdirSync(dir));
  return names
    .filter((name) => !wanted.has(name) && name !== LOCK_NAME)
    .sort()
    .flatMap((name) => {
      const entry = readEntry(join(dir, name));
      return entry.kind === 'ours' ? [{ name, contents: entry.contents }] : [];
    });
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

function acquireLock(dir: string, shownDir: string): string {
  const lock = join(dir, LOCK_NAME);
  let fd: number;
  try {
    fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new EnvironmentError(
        shownDir,
        `another cors-gen run is writing to this directory (${LOCK_NAME} exists); try again when it has finished, or remove ${LOCK_NAME} if no run is in progress`,
      );
    }
    throw new EnvironmentError(shownDir, `cannot write to the directory: ${causeOf(e)}`);
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } catch (e) {
    closeSync(fd);
    unlinkSync(lock);
    throw new EnvironmentError(shownDir, `cannot write to the directory: ${causeOf(e)}`);
  }
  closeSync(fd);
  return lock;
}

function writeTemporary(path: string, contents: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    const data = Buffer.from(contents, 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const removeQuietly = (path: string) => {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
};

/**
 * Writes the set below `dir` (created when missing). `shownDir` is DIR as the user wrote it, for
 * messages. Throws EnvironmentError, after which DIR is as it was.
 */
export function writeOutput(dir: string, files: readonly GeneratedFile[], shownDir: string = dir): WriteResult {
  if (dirState(dir, shownDir) === 'missing') onPath(shownDir, 'create the directory', () => mkdirSync(dir, { recursive: true }));
  const lock = acquireLock(dir, shownDir);
  const temporaries: string[] = [];
  try {
    const result: WriteResult = { written: [], unchanged: [], removed: [] };
    // Every refusal first, all of them, before anything is written.
    const refusals = files.flatMap((f) => {
      const why = refusal(readEntry(join(dir, f.path)));
      return why ? [new EnvironmentError(shownPath(shownDir, f.path), why)] : [];
    });
    if (refusals.length > 0) throw new RefusedNames(refusals);

    const pending: { name: string; tmp: string }[] = [];
    for (const f of files) {
      const path = join(dir, f.path);
      const entry = readEntry(path);
      if (entry.kind === 'ours' && entry.contents === f.contents) {
        result.unchanged.push(f.path);
        continue;
      }
      const tmp = join(dir, `.${f.path}.${randomBytes(12).toString('hex')}.cors-gen.tmp`);
      temporaries.push(tmp);
      onPath(shownPath(shownDir, f.path), 'write', () => writeTemporary(tmp, f.contents));
      pending.push({ name: f.path, tmp });
    }
    const stale = staleEntries(dir, shownDir, files);
    // The names may have changed hands while the temporaries were written: check once more right
    // before the renames (rename replaces a link itself and never writes through it).
    for (const { name } of pending) {
      const why = refusal(readEntry(join(dir, name)));
      if (why) throw new EnvironmentError(shownPath(shownDir, name), why);
    }
    for (const { name, tmp } of pending) {
      onPath(shownPath(shownDir, name), 'replace', () => renameSync(tmp, join(dir, name)));
      temporaries.splice(temporaries.indexOf(tmp), 1);
      result.written.push(name);
    }
    for (const { name } of stale) {
      const path = join(dir, name);
      if (readEntry(path).kind !== 'ours') continue;
      onPath(shownPath(shownDir, name), 'remove the stale file', () => unlinkSync(path));
      result.removed.push(name);
    }
    syncDirectory(dir);
    return result;
  } finally {
    for (const tmp of temporaries) removeQuietly(tmp);
    removeQuietly(lock);
  }
}

/** Several names refused at once: the CLI prints one line each. */
export class RefusedNames extends Error {
  constructor(readonly errors: EnvironmentError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/** The renames survive a crash of the machine, not only of the process. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system can sync a directory; the renames are done either way.
  }
}

export interface Drift {
  /** The unified diff from what DIR holds to what the policy generates. */
  diff: string;
  /** Generated names that hold something not read (a link, a foreign file …): one line each. */
  notes: string[];
  /** Whether DIR differs at all. */
  differs: boolean;
}

/** What `--check` reports: reads only regular files that carry cors-gen's header. */
export function drift(dir: string, files: readonly GeneratedFile[], shownDir: string = dir): Drift {
  const patches: string[] = [];
  const notes: string[] = [];
  const patch = (name: string, before: string, after: string) =>
    diffLib()
      .createTwoFilesPatch(before === '' ? '/dev/null' : `a/${name}`, after === '' ? '/dev/null' : `b/${name}`, before, after, undefined, undefined, { context: 3 })
      // The git-style form: no "=====" separator, no tab after the file names.
      .replace(/^=+\n/, '')
      .replace(/^(---|\+\+\+) (\S+)\t$/gm, '$1 $2');
  const missing = dirState(dir, shownDir) === 'missing';
  for (const f of files) {
    const entry: Entry = missing ? { kind: 'absent' } : readEntry(join(dir, f.path));
    if (entry.kind === 'ours' && entry.contents === f.contents) continue;
    const why = refusal(entry);
    if (why) {
      notes.push(`${shownPath(shownDir, f.path)}: ${why.replace('; refusing to replace it', '')}: not read; --out would refuse to replace it`);
      continue;
    }
    patches.push(patch(f.path, entry.kind === 'ours' ? entry.contents : '', f.contents));
  }
  if (!missing) for (const { name, contents } of staleEntries(dir, shownDir, files)) patches.push(patch(name, contents, ''));
  const diff = patches.join('');
  return { diff, notes, differs: diff !== '' || notes.length > 0 };
}

/** The unified diff alone (tests and scripts); names that cannot be read count as differences elsewhere. */
export function driftDiff(dir: string, files: readonly GeneratedFile[]): string {
  return drift(dir, files).diff;
}
