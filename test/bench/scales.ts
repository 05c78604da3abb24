import { WORKER_DEFAULTS } from '../../src/worker/defaults.js';
import type { SeedScale } from './seed.js';

/** How big each scenario is. `full` is the cell; `quick` keeps every figure at a size that runs in minutes. */
export interface Scale {
  name: 'full' | 'quick';
  seed: SeedScale;
  ingest: { maxRateMs: number; concurrency: number; fixedRate: number; fixedMs: number };
  pipeline: { conversations: number; tenants: number; unanswerableShare: number; probe: number; postMaxMs: number; drainTimeoutMs: number };
  queue: { pending: number; cycles: number; maxMs: number };
  /** Burst into one group: handovers of one tenant, probe tenants writing during it, and the wait for visibility. */
  burst: { handovers: number; probeTenants: number; probesEach: number; visibleTimeoutMs: number };
  search: { queries: number };
  /** The owner's overview of one tenant with this many messages, timed `runs` times. */
  dashboard: { messages: number; runs: number };
  starts: number;
}

export const FULL: Scale = {
  name: 'full',
  seed: { tenants: 10_000, sections: 40, faqs: 10, wordsPerChunk: 90, contactsPerTenant: 20, messages: 1_000_000 },
  ingest: { maxRateMs: 15_000, concurrency: 32, fixedRate: 1000, fixedMs: 15_000 },
  pipeline: { conversations: 5000, tenants: 1000, unanswerableShare: 0.05, probe: 40, postMaxMs: 300_000, drainTimeoutMs: 300_000 },
  queue: { pending: 100_000, cycles: 50_000, maxMs: 10_000 },
  burst: { handovers: 500, probeTenants: 10, probesEach: 3, visibleTimeoutMs: 300_000 },
  search: { queries: 3000 },
  dashboard: { messages: 100_000, runs: 30 },
  starts: 3,
};

export const QUICK: Scale = {
  name: 'quick',
  seed: { tenants: 600, sections: 40, faqs: 10, wordsPerChunk: 90, contactsPerTenant: 20, messages: 60_000 },
  ingest: { maxRateMs: 3000, concurrency: 32, fixedRate: 1000, fixedMs: 3000 },
  pipeline: { conversations: 300, tenants: 60, unanswerableShare: 0.05, probe: 10, postMaxMs: 30_000, drainTimeoutMs: 45_000 },
  queue: { pending: 10_000, cycles: 10_000, maxMs: 2000 },
  burst: { handovers: 100, probeTenants: 5, probesEach: 2, visibleTimeoutMs: 180_000 },
  search: { queries: 300 },
  dashboard: { messages: 100_000, runs: 10 },
  starts: 1,
};

/**
 * The worker's concurrency in every scenario: the shipped default (src/worker/defaults.ts), which `botctl run` and
 * `botctl worker` use too, so what the benchmark measures is what an operator runs. No scenario passes --concurrency.
 */
export const SHIPPED_CONCURRENCY = WORKER_DEFAULTS.concurrency;
