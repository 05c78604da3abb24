import type { BudgetOf, JobHandler, JobRegistry } from './registry.js';
import type { Lane } from './lanes.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * One row of the worker's job table: everything that says how a kind of job runs.
 *
 * | field    | meaning                                                                                          |
 * |----------|--------------------------------------------------------------------------------------------------|
 * | kind     | the `jobs.kind` string (src/conversation/job-kinds.ts and each module's kinds constant)          |
 * | lane     | capacity class (src/jobs/lanes.ts): reply, customer, desk or background                          |
 * | handler  | runs one job; idempotent, since a crash after its effect runs it again                            |
 * | policy   | retry policy (src/jobs/retry-policy.ts); fields left out take DEFAULT_POLICY's                    |
 * | budget   | the rate budgets a job needs before it starts (src/jobs/budgets.ts); absent for none              |
 * | first    | claimed before the other jobs of its lane                                                         |
 *
 * The fields are those of `JobRegistry.register(kind, handler, { lane, budget, first, ...policy })`, so a kind
 * registered anywhere else moves into the table as one row with the same values.
 */
export interface KindEntry {
  kind: string;
  lane: Lane;
  handler: JobHandler;
  policy: Partial<RetryPolicy>;
  budget?: BudgetOf;
  first?: boolean;
}

/** Registers every row of a table. */
export function registerKinds(registry: JobRegistry, entries: readonly KindEntry[]): void {
  for (const e of entries) {
    registry.register(e.kind, e.handler, { ...e.policy, lane: e.lane, first: e.first ?? false, ...(e.budget ? { budget: e.budget } : {}) });
  }
}
