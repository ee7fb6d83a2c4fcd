// Prints one plain closing line, `summary: N passed, N failed, N skipped`, after vitest's own report,
// so that CI logs state the count of tests run in a form any tool can read.
import type { File, Task } from '@vitest/runner';
import type { Reporter } from 'vitest/reporters';

function count(tasks: readonly Task[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'suite') {
      count(t.tasks, totals);
      if (t.result?.state === 'fail' && t.tasks.every((c) => !c.result || c.result.state !== 'fail')) totals.failed++; // a failing hook
    } else if (t.result?.state === 'pass') totals.passed++;
    else if (t.result?.state === 'fail') totals.failed++;
    else totals.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    totals.failed += errors.length;
    for (const f of files) if (f.result?.state === 'fail' && f.tasks.length === 0) totals.failed++; // a file that failed to load
    process.stdout.write(`\nsummary: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
