import type { Cell } from '../cell.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { ScheduleEntry } from '../scheduler/scheduler.js';
import { SqlIntegrationEventStore } from '../storage/integration-event-store.js';
import { SqlCrmStore } from '../storage/integration-crm-store.js';
import { SqlWebhookStore } from '../storage/integration-webhook-store.js';
import { CRM_SYNC_POLICY } from './crm-policy.js';
import { CrmSync } from './crm-sync.js';
import { WEBHOOK_POLICY } from './delivery-policy.js';
import { INTEGRATION_JOB } from './kinds.js';
import { RatePacer } from './rate-pacer.js';
import { WebhookDeliverer } from './webhook-deliver.js';

/**
 * The ONE place the integrations module registers its job kinds (to be ported into the cell's kind table):
 * webhook deliveries and CRM syncs, each with its retry policy. Lane: background (never `first`).
 */
export function registerIntegrationJobs(cell: Pick<Cell, 'db' | 'secrets'>, deps: { registry: JobRegistry; clock?: () => number }): void {
  const clock = deps.clock ?? Date.now;
  const deliverer = new WebhookDeliverer({ store: new SqlWebhookStore(cell.db), secrets: cell.secrets, clock });
  deps.registry.register(INTEGRATION_JOB.webhookDeliver, (job, ctx) => deliverer.run(job, ctx.signal), WEBHOOK_POLICY);
  // Budget hook: once the runner keeps per-destination budgets, this kind declares CRM_DESTINATIONS[provider].key
  // with maxCallsPerJob units, and the RatePacer inside openCrm goes.
  const sync = new CrmSync({ store: new SqlCrmStore(cell.db), secrets: cell.secrets, pacer: new RatePacer(), clock });
  deps.registry.register(INTEGRATION_JOB.crmSync, (job, ctx) => sync.run(job, ctx.signal, ctx.logger), CRM_SYNC_POLICY);
  const events = new SqlIntegrationEventStore(cell.db);
  deps.registry.register(INTEGRATION_JOB.prune, async (_job, { logger }) => {
    const pruned = events.prune(clock() - EVENT_RETENTION_MS);
    if (pruned > 0) logger.info({ pruned }, 'pruned integration events and their deliveries');
  }, { maxAttempts: 3, timeoutMs: 5 * 60_000 });
}

/** Events and their delivery log are kept 30 days for `deliveries` and `redeliver`; pending ones until delivered. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;

export const INTEGRATION_SCHEDULE: ScheduleEntry[] = [
  { cron: '41 * * * *', job: () => ({ kind: INTEGRATION_JOB.prune, uniqueKey: INTEGRATION_JOB.prune }) },
];
