// CPU time a server spends, read from /proc: utime + stime of a process and all its descendants
// (nginx's worker, Apache's children), in clock ticks. The machine is shared, so throughput is
// noisy; CPU time per request is what one design costs against another.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ on Linux: /proc/<pid>/stat counts in 1/100 s. */
export const TICKS_PER_SECOND = 100;

interface Stat {
  pid: number;
  ppid: number;
  ticks: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // the process ended between the listing and the read
  }
}

/** utime + stime, in ticks, of `root` and every process below it. */
export function treeTicks(root: number): number {
  const all = readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((s): s is Stat => s !== null);
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let total = 0;
  const queue = all.filter((s) => s.pid === root);
  while (queue.length > 0) {
    const s = queue.pop()!;
    total += s.ticks;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return total;
}
