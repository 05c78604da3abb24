/**
 * The worker's shipped defaults, used by `botctl worker`, `botctl run` (which starts the worker with them) and the
 * benchmark, so what the benchmark measures is what an operator runs.
 *
 * Concurrency is sized for I/O: nearly every slot of a busy cell waits on an LLM call (1–20 s) or an API send, not
 * on the CPU. A cell of 10,000 tenants at its peak keeps about 200 LLM calls in flight (BENCHMARKS.md, "burst into
 * one group"), so 256 slots hold that peak with room; CPU-bound work stays paced because claimed jobs start one per
 * turn of the event loop (src/jobs/runner.ts) and the desk and background lanes are capped (src/jobs/lanes.ts).
 * Waiting for a rate budget holds no slot at all (src/jobs/budgets.ts).
 */
export const WORKER_DEFAULTS = {
  concurrency: 256,
  leaseMs: 30_000,
  pollMs: 250,
  drainTimeoutMs: 20_000,
} as const;
