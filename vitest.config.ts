import { defineConfig } from 'vitest/config';

// Many tests start real processes (the CLI, the worker, the simulators). On a loaded 2-core machine one CLI call can
// take a few seconds, so vitest's 5 s default would fail a correct test; a test that needs longer still says so.
// Most of a test's time is spent waiting on those processes and on timers, not on the CPU: with vitest's default of
// one file at a time on a 2-core machine the suite took 23 minutes (the sum of its files), three at a time 12. Two
// at a time leave the tests that measure real time (bursts, fairness) a core of headroom.
export default defineConfig({
  test: {
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
