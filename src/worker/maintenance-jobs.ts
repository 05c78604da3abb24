import type { JobHandler } from '../jobs/registry.js';
import type { ScheduleEntry } from '../scheduler/scheduler.js';
import type { BudgetStore } from '../storage/budget-store.js';
import type { JobStore } from '../storage/job-store.js';

const DAY = 86_400_000;
/** Finished jobs are kept a week for `botctl jobs` and trace; dead ones a month, since each is an alert to read. */
export const DONE_RETENTION_MS = 7 * DAY;
export const DEAD_RETENTION_MS = 30 * DAY;

export const PRUNE_JOBS = 'maintenance.prune_jobs';

export interface MaintenanceJobs {
  pruneJobs: JobHandler;
}

/** The maintenance jobs' handlers (their rows are in src/worker/job-table.ts). */
export function maintenanceJobs(jobs: JobStore, budgets: BudgetStore, clock: () => number): MaintenanceJobs {
  return {
    pruneJobs: async (_job, { logger }) => {
      const now = clock();
      const done = jobs.prune('done', now - DONE_RETENTION_MS);
      const dead = jobs.prune('dead', now - DEAD_RETENTION_MS);
      // A rate budget unused for a day is full again; its row (one per customer pair) says nothing any more.
      const budgetRows = budgets.prune(now - DAY);
      if (done + dead + budgetRows > 0) logger.info({ done, dead, budgets: budgetRows }, 'pruned finished jobs and idle rate budgets');
    },
  };
}

export const MAINTENANCE_SCHEDULE: ScheduleEntry[] = [
  { cron: '17 * * * *', job: () => ({ kind: PRUNE_JOBS, uniqueKey: PRUNE_JOBS }) },
];
