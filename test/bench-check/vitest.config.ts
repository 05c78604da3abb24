import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs this after the main suite, alone: the quick benchmark loads both cores for about a minute, which
 * would skew the timing of tests running beside it.
 */
export default defineConfig({
  test: {
    include: ['test/bench-check/**/*.check.ts'],
    testTimeout: 10 * 60_000,
  },
});
