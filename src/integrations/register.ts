import type { Cell } from '../cell.js';
import type { JobHandler, JobRegistry } from '../jobs/registry.js';
import type { ScheduleEntry } from '../scheduler/scheduler.js';
import { SqlIntegrationEventStore } from '../storage/integration-event-store.js';
import { SqlCrmStore } from '../storage/integration-crm-store.js';
import { SqlWebhookStore } from '../storage/integration-webhook-store.js';
import { CRM_SYNC_POLICY, crmBudget } from './crm-policy.js';
import { CrmSync } from './crm-sync.js';
import { WEBHOOK_POLICY } from './delivery-policy.js';
import { INTEGRATION_JOB } from './kinds.js';
import { RatePacer } from './rate-pacer.js';
import { WebhookDeliverer } from './webhook-deliver.js';

export interface IntegrationJobs {
  webhookDeliver: JobHandler;
  crmSync: JobHandler;
  prune: JobHandler;
}

/** The integrations' job handlers: webhook deliveries, CRM syncs and pruning; src/worker/job-table.ts says how they run. */
export function integrationJobs(cell: Pick<Cell, 'db' | 'secrets'>, deps: { clock?: () => number } = {}): IntegrationJobs {
  const clock = deps.clock ?? Date.now;
  const deliverer = new WebhookDeliverer({ store: new SqlWebhookStore(cell.db), secrets: cell.secrets, clock });
  // The runner's budget (crmBudget) spaces sync jobs per CRM account; the pacer inside spaces the calls of one job.
  const sync = new CrmSync({ store: new SqlCrmStore(cell.db), secrets: cell.secrets, pacer: new RatePacer(), clock });
  const events = new SqlIntegrationEventStore(cell.db);
  return {
    webhookDeliver: (job, ctx) => deliverer.run(job, ctx.signal),
    crmSync: (job, ctx) => sync.run(job, ctx.signal, ctx.logger),
    prune: async (_job, { logger }) => {
      const pruned = events.prune(clock() - EVENT_RETENTION_MS);
      if (pruned > 0) logger.info({ pruned }, 'pruned integration events and their deliveries');
    },
  };
}

/** Registers the integrations' kinds alone (tests that run them without the whole worker). */
export function registerIntegrationJobs(cell: Pick<Cell, 'db' | 'secrets'>, deps: { registry: JobRegistry; clock?: () => number }): void {
  const jobs = integrationJobs(cell, deps.clock ? { clock: deps.clock } : {});
  deps.registry.register(INTEGRATION_JOB.webhookDeliver, jobs.webhookDeliver, { ...WEBHOOK_POLICY, lane: 'background' });
  deps.registry.register(INTEGRATION_JOB.crmSync, jobs.crmSync, { ...CRM_SYNC_POLICY, lane: 'background', budget: crmBudget });
  deps.registry.register(INTEGRATION_JOB.prune, jobs.prune, { ...INTEGRATION_PRUNE_POLICY, lane: 'background' });
}

export const INTEGRATION_PRUNE_POLICY = { maxAttempts: 3, timeoutMs: 5 * 60_000 };

/** Events and their delivery log are kept 30 days for `deliveries` and `redeliver`; pending ones until delivered. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;

export const INTEGRATION_SCHEDULE: ScheduleEntry[] = [
  { cron: '41 * * * *', job: () => ({ kind: INTEGRATION_JOB.prune, uniqueKey: INTEGRATION_JOB.prune }) },
];
