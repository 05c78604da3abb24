/**
 * The worker's shipped defaults, used by `botctl worker`, `botctl run` (which starts the worker with them) and the
 * benchmark, so what the benchmark measures is what an operator runs.
 *
 * Concurrency is sized for I/O: nearly every slot of a busy cell waits on an LLM call (1–20 s) or an API send, not
 * on the CPU. The benchmark's pipeline burst (5,000 new customers of 1,000 tenants, LLM 1.5 s) needs several hundred
 * LLM calls in flight to answer within a minute, and 1,024 slots cost it 45 ms of event-loop lag at p99
 * (BENCHMARKS.md); 32 slots answered ~21 customers a second for a whole cell. CPU-bound work stays paced because
 * claimed jobs start one per turn of the event loop (src/jobs/runner.ts), and the desk and background lanes are
 * capped (src/jobs/lanes.ts). Waiting for a rate budget holds no slot at all (src/jobs/budgets.ts).
 */
export const WORKER_DEFAULTS = {
  concurrency: 1024,
  leaseMs: 30_000,
  pollMs: 250,
  drainTimeoutMs: 20_000,
} as const;
