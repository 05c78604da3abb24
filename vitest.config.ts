import { defineConfig } from 'vitest/config';

// Many tests start real processes (the CLI, the worker, the simulators). On a loaded 2-core machine one CLI call can
// take a few seconds, so vitest's 5 s default would fail a correct test; a test that needs longer still says so.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
