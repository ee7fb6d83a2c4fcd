import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The real servers each hold several ports and processes; two at a time suit the 2-core machine.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
