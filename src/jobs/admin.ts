import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { JobStore } from '../storage/job-store.js';
import { TenantStore } from '../storage/tenant-store.js';
import type { Job, JobState } from './types.js';

const STATES: readonly JobState[] = ['pending', 'running', 'done', 'dead'];

/** The operator's view of the queue: list, show and retry dead jobs (each retry audited). */
export class JobAdmin {
  private readonly jobs: JobStore;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.jobs = new JobStore(cell.db);
  }

  list(filter: { state?: string; kind?: string; tenant?: string; limit?: number }): Job[] {
    if (filter.state !== undefined && !STATES.includes(filter.state as JobState)) {
      throw new UserError(`--state "${filter.state}" is not a job state`, `use one of ${STATES.join(', ')}`);
    }
    const tenantId = filter.tenant !== undefined ? this.tenantId(filter.tenant) : undefined;
    return this.jobs.list({ state: filter.state as JobState | undefined, kind: filter.kind, tenantId, limit: filter.limit });
  }

  get(id: number): Job {
    const job = this.jobs.get(id);
    if (!job) throw new UserError(`there is no job ${id}`, 'list jobs with: botctl jobs list --state dead');
    return job;
  }

  counts(): Record<JobState, number> {
    return this.jobs.counts();
  }

  /** Puts a dead job back in the queue with a fresh set of attempts; a running worker picks it up within a poll. */
  retry(id: number): Job {
    const job = this.get(id);
    if (job.state !== 'dead') {
      throw new UserError(`job ${id} is ${job.state}, not dead`, job.state === 'pending' ? 'it will run by itself at its run_at time' : 'only dead jobs can be retried');
    }
    this.cell.db.transaction(() => {
      const now = this.clock();
      this.jobs.retryDead(id, now);
      new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'jobs.retry', tenantId: job.tenantId, tenantSlug: null, detail: { job: id, kind: job.kind, lastError: job.lastError } });
    }).immediate();
    return this.get(id);
  }

  private tenantId(slug: string): number {
    const tenant = new TenantStore(this.cell.db).findBySlug(slug);
    if (!tenant) throw new UserError(`there is no tenant "${slug}"`, 'see the tenants of this cell with: botctl tenant list');
    return tenant.id;
  }
}
