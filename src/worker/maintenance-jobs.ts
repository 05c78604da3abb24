import type { JobRegistry } from '../jobs/registry.js';
import type { ScheduleEntry } from '../scheduler/scheduler.js';
import type { JobStore } from '../storage/job-store.js';

const DAY = 86_400_000;
/** Finished jobs are kept a week for `botctl jobs` and trace; dead ones a month, since each is an alert to read. */
export const DONE_RETENTION_MS = 7 * DAY;
export const DEAD_RETENTION_MS = 30 * DAY;

export const PRUNE_JOBS = 'maintenance.prune_jobs';

export function registerMaintenanceJobs(registry: JobRegistry, jobs: JobStore, clock: () => number): void {
  registry.register(PRUNE_JOBS, async (_job, { logger }) => {
    const now = clock();
    const done = jobs.prune('done', now - DONE_RETENTION_MS);
    const dead = jobs.prune('dead', now - DEAD_RETENTION_MS);
    if (done + dead > 0) logger.info({ done, dead }, 'pruned finished jobs');
  }, { maxAttempts: 3, timeoutMs: 5 * 60_000 });
}

export const MAINTENANCE_SCHEDULE: ScheduleEntry[] = [
  { cron: '17 * * * *', job: () => ({ kind: PRUNE_JOBS, uniqueKey: PRUNE_JOBS }) },
];
