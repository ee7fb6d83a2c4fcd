// Reading the policy file, which is untrusted input (docs/contract.md §1): only a regular file, of at most
// MAX_POLICY_BYTES, read through a bounded buffer. The open does not block (a FIFO without a writer
// is refused instead of waited on) and /dev/zero or /proc files that grow without end are cut off
// at the bound rather than read into memory.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { causeOf } from '../env/errors.js';

/** 32 MiB: twice the 16 MiB the contract promises; about 800,000 origins. */
export const MAX_POLICY_BYTES = 32 * 1024 * 1024;

export type PolicyRead = { ok: true; text: string } | { ok: false; problem: string };

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const tooLarge = `is larger than ${MAX_POLICY_BYTES / 1024 / 1024} MiB, the most a policy file may hold`;

export function readPolicyFile(file: string): PolicyRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read: ${causeOf(e)}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: `is ${kindOf(st)}, not a regular file` };
    if (st.size > MAX_POLICY_BYTES) return { ok: false, problem: tooLarge };
    const buf = Buffer.allocUnsafe(Math.min(MAX_POLICY_BYTES + 1, Math.max(st.size + 1, 64 * 1024)));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > MAX_POLICY_BYTES) return { ok: false, problem: tooLarge };
        return readGrowing(fd, buf, total);
      }
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > MAX_POLICY_BYTES) return { ok: false, problem: tooLarge };
    return { ok: true, text: buf.toString('utf8', 0, total) };
  } catch (e) {
    return { ok: false, problem: `cannot be read: ${causeOf(e)}` };
  } finally {
    closeSync(fd);
  }
}

/** A file that grew past the size fstat gave (or reports 0, as /proc files do): read on, up to the bound. */
function readGrowing(fd: number, first: Buffer, filled: number): PolicyRead {
  const chunks = [first.subarray(0, filled)];
  let total = filled;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, MAX_POLICY_BYTES + 1 - total));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > MAX_POLICY_BYTES) return { ok: false, problem: tooLarge };
  }
  return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
}
