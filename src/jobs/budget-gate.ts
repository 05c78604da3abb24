import type { Logger } from '../observability/logger.js';
import type { JobStore } from '../storage/job-store.js';
import type { BudgetNeed, RateBudgets } from './budgets.js';
import type { JobRegistry } from './registry.js';
import type { Job } from './types.js';

/** A claimed job sent back to wait for a rate budget (observable for tests and logs). */
export interface BudgetWait {
  id: number;
  kind: string;
  key: string;
  until: number;
}

/**
 * Between claiming a job and starting it, the runner passes it through here: the job takes a unit of every rate
 * budget its kind names (src/jobs/budgets.ts), or goes straight back to the queue until one frees, without counting
 * the attempt. A rate-limit answer from the destination blocks that destination's budget for every job.
 */
export class BudgetGate {
  deferrals = 0;
  lastWait: BudgetWait | null = null;

  constructor(
    private readonly store: JobStore,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly workerId: string,
    private readonly budgets: RateBudgets | null,
  ) {}

  /** Takes the job's rate budgets; when one is spent, hands the job back until it frees and returns true. */
  waitForBudget(job: Job, now: number): boolean {
    const needs = this.needs(job, true);
    if (!needs || needs.length === 0 || !this.budgets) return false;
    const first = this.registry.get(job.kind)?.first ?? false;
    const taken = this.budgets.take(needs, now, { id: job.id, first });
    if (taken.ok) return false;
    this.store.defer(job.id, this.workerId, taken.at, now, null, first);
    this.deferrals++;
    this.lastWait = { id: job.id, kind: job.kind, key: taken.key, until: taken.at };
    this.logger.debug({ job: job.id, kind: job.kind, budget: taken.key, inMs: taken.at - now }, 'job waits in the queue for a rate budget');
    return true;
  }

  /** Blocks the job's budget of `scope` (or its first) until `until`; false when the kind has no budget. */
  block(job: Job, scope: string, until: number, now: number): boolean {
    const needs = this.needs(job, false);
    const need = needs?.find((n) => n.scope === scope) ?? needs?.[0];
    if (!need || !this.budgets) return false;
    this.budgets.block(need.key, until, now);
    return true;
  }

  /** The budgets the job's kind says it needs; null when it has none or they cannot be told. */
  private needs(job: Job, log: boolean): BudgetNeed[] | null {
    const budget = this.registry.get(job.kind)?.budget;
    if (!budget || !this.budgets) return null;
    try {
      return budget(job);
    } catch (err) {
      // The handler meets the same problem (a missing row) and records it as the job's failure.
      if (log) this.logger.warn({ job: job.id, kind: job.kind, err }, "could not tell the job's rate budget; running it without one");
      return null;
    }
  }
}
