import type { Logger } from '../observability/logger.js';
import type { JobStore } from '../storage/job-store.js';
import type { BudgetGate } from './budget-gate.js';
import { classify } from './errors.js';
import type { JobRegistry } from './registry.js';
import { backoffDelay } from './retry-policy.js';
import type { Job } from './types.js';

export interface FailureDeps {
  store: JobStore;
  registry: JobRegistry;
  gate: BudgetGate;
  workerId: string;
  random?: () => number;
}

/**
 * Records a failed attempt: a rate limit moves the destination's budget and the job waits with it (no attempt
 * counted); a permanent error or the last attempt makes it dead; anything else is retried with backoff.
 */
export function recordFailure(deps: FailureDeps, job: Job, err: unknown, log: Logger, attempt: string, ms: number, now: number): void {
  const { store, registry, gate, workerId } = deps;
  const failure = classify(err);
  try {
    const until = now + Math.max(1000, failure.retryAfterMs);
    if (failure.rateLimitScope !== undefined && !failure.permanent && gate.block(job, failure.rateLimitScope, until, now)) {
      store.defer(job.id, workerId, until, now, failure.message, registry.get(job.kind)?.first ?? false);
      log.warn({ attempt, ms, retryInMs: failure.retryAfterMs, err: failure.message }, 'rate limited; the destination\'s budget waits, the job with it');
      return;
    }
    if (failure.permanent || job.attempts >= job.maxAttempts) {
      const reason = failure.permanent ? 'permanent error' : 'attempts exhausted';
      store.kill(job.id, workerId, `${reason}: ${failure.message}`, now);
      log.error({ attempt, ms, err: failure.message }, `job dead (${reason})`);
      return;
    }
    const delay = backoffDelay(registry.policy(job.kind), job.attempts, failure.retryAfterMs, deps.random);
    store.retryLater(job.id, workerId, now + delay, failure.message, now);
    log.warn({ attempt, ms, retryInMs: delay, err: failure.message }, 'job failed; will retry');
  } catch (storeErr) {
    log.error({ err: storeErr }, 'could not record the job failure; its lease will expire and it will run again');
  }
}
