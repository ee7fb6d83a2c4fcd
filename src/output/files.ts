// Stage 6: files on disk. Writes are atomic (temp file + rename in the same directory), stale
// files are those that carry cors-gen's header but are no longer generated, and a file without the
// header is never touched.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { diffLib } from '../lazy.js';
import { HEADER_MARK, type GeneratedFile } from '../compile.js';

export function isGeneratedByUs(text: string): boolean {
  return text.startsWith(HEADER_MARK);
}

function readIfFile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Files in `dir` that carry our header but are not among `files`. */
export function staleFiles(dir: string, files: readonly GeneratedFile[]): string[] {
  if (!existsSync(dir)) return [];
  const wanted = new Set(files.map((f) => f.path));
  return readdirSync(dir)
    .filter((name) => !wanted.has(name))
    .filter((name) => {
      const text = readIfFile(join(dir, name));
      return text !== undefined && isGeneratedByUs(text);
    })
    .sort();
}

/** Files we would overwrite that cors-gen did not write: refused rather than clobbered. */
export function foreignFiles(dir: string, files: readonly GeneratedFile[]): string[] {
  return files
    .map((f) => f.path)
    .filter((name) => {
      const text = readIfFile(join(dir, name));
      return text !== undefined && !isGeneratedByUs(text);
    });
}

export function writeAtomically(path: string, contents: string): void {
  const tmp = `${path}.cors-gen-${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

export function writeOutput(dir: string, files: readonly GeneratedFile[]): WriteResult {
  mkdirSync(dir, { recursive: true });
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  for (const f of files) {
    const path = join(dir, f.path);
    if (readIfFile(path) === f.contents) {
      result.unchanged.push(f.path);
      continue;
    }
    writeAtomically(path, f.contents);
    result.written.push(f.path);
  }
  for (const name of staleFiles(dir, files)) {
    rmSync(join(dir, name));
    result.removed.push(name);
  }
  return result;
}

/** The unified diff from what `dir` holds to what the policy generates; empty when identical. */
export function driftDiff(dir: string, files: readonly GeneratedFile[]): string {
  const patches: string[] = [];
  const patch = (name: string, before: string, after: string) =>
    diffLib()
      .createTwoFilesPatch(before === '' ? '/dev/null' : `a/${name}`, after === '' ? '/dev/null' : `b/${name}`, before, after, undefined, undefined, { context: 3 })
      // The git-style form: no "=====" separator, no tab after the file names.
      .replace(/^=+\n/, '')
      .replace(/^(---|\+\+\+) (\S+)\t$/gm, '$1 $2');
  for (const f of files) {
    const current = readIfFile(join(dir, f.path));
    if (current === f.contents) continue;
    patches.push(patch(f.path, current ?? '', f.contents));
  }
  for (const name of staleFiles(dir, files)) patches.push(patch(name, readFileSync(join(dir, name), 'utf8'), ''));
  return patches.join('');
}
