// What a verify run against a real server must print.
import { expect } from 'vitest';
import type { CliResult } from './cli.js';

export async function expectConforms(r: CliResult): Promise<void> {
  expect(r.stdout.split('\n').filter((l) => l.startsWith('FAIL')).slice(0, 10).join('\n')).toBe('');
  expect(r.code, r.stderr).toBe(0);
  const last = r.stdout.trim().split('\n').at(-1)!;
  const m = /^verify: ([0-9]+)\/([0-9]+) requests conform$/.exec(last);
  expect(m, last).not.toBeNull();
  expect(m![1]).toBe(m![2]);
  expect(Number(m![2])).toBeGreaterThan(20);
}

/** Exit 1; FAIL lines only for /broken/, at least one of `method` naming `cause` (and showing `detail`). */
export function expectMistake(r: CliResult, o: { method: string; cause: string; detail?: string }): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
  expect(fails.length).toBeGreaterThan(0);
  expect(fails.filter((l) => !l.startsWith(`FAIL ${l.split(' ')[1]} /broken/ `))).toEqual([]);
  const named = (l: string) => l.startsWith(`FAIL ${o.method} /broken/ `) && new RegExp(`likely cause: .*${o.cause}`).test(l) && (!o.detail || new RegExp(o.detail).test(l));
  expect(fails.some(named), fails.slice(0, 8).join('\n')).toBe(true);
  expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^verify: [0-9]+\/[0-9]+ requests conform$/);
}
