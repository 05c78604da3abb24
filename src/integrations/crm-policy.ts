import type { BudgetNeed } from '../jobs/budgets.js';
import type { Job } from '../jobs/types.js';
import type { RetryPolicy } from '../jobs/retry-policy.js';
import type { CrmProvider } from './kinds.js';

/**
 * The one place that says how hard each CRM may be called. `key` is the destination a rate budget is kept for
 * (the job runner's per-destination budgets will take one unit of it per call); `perSecond` is below the CRM's
 * documented limit (amoCRM about 7 requests/s per integration, Bitrix24 about 2/s, PROTOCOLS.md 3d);
 * `maxCallsPerJob` bounds what one sync job may spend, so a job never needs more than that many units.
 */
export const CRM_DESTINATIONS: Record<CrmProvider, { key: (tenantSlug: string) => string; perSecond: number; maxCallsPerJob: number }> = {
  amocrm: { key: (slug) => `amocrm:${slug}`, perSecond: 7, maxCallsPerJob: 3 },
  bitrix24: { key: (slug) => `bitrix24:${slug}`, perSecond: 2, maxCallsPerJob: 4 },
};

/** Sync jobs retry rate limits and outages for about half a day; auth errors are not retried (the connection is marked broken). */
export const CRM_SYNC_POLICY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 5_000, maxDelayMs: 60 * 60_000, timeoutMs: 60_000 };
/** One HTTP call to a CRM may take this long. */
export const CRM_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The rate budget a sync job takes before it starts: one job per CRM account every `maxCallsPerJob / perSecond`
 * seconds, so the account's calls stay under its limit however many jobs are due; waiting happens in the queue.
 */
export function crmBudget(job: Job): BudgetNeed[] {
  const provider = job.payload.provider as CrmProvider | undefined;
  const d = provider ? CRM_DESTINATIONS[provider] : undefined;
  if (!d || job.tenantId === null) return [];
  return [{ key: `${provider}:tenant:${job.tenantId}`, scope: `${provider} account`, intervalMs: Math.ceil((1000 * d.maxCallsPerJob) / d.perSecond), burst: 1 }];
}
