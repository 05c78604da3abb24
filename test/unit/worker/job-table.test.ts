import { describe, expect, test } from 'vitest';
import { JOB } from '../../../src/conversation/job-kinds.js';
import type { DeskJobs } from '../../../src/desk/desk.js';
import type { JobHandler } from '../../../src/jobs/registry.js';
import type { Job } from '../../../src/jobs/types.js';
import { CUSTOMER_LANES } from '../../../src/jobs/lanes.js';
import { jobTable } from '../../../src/worker/job-table.js';
import { KNOWLEDGE_JOB } from '../../../src/knowledge/job-kinds.js';
import { LEARNING_JOB } from '../../../src/learning/kinds.js';
import { INTEGRATION_JOB } from '../../../src/integrations/kinds.js';
import { DASHBOARD_JOB } from '../../../src/dashboard/digest.js';
import { PRUNE_JOBS } from '../../../src/worker/maintenance-jobs.js';
import { DEFAULT_PIPELINE_OPTIONS } from '../../../src/worker/pipeline.js';
import { SALES_JOB } from '../../../src/sales/kinds.js';
import { INSTAGRAM_JOB } from '../../../src/channels/instagram/profile-lookup.js';
import { instagramProfileBudgetOf } from '../../../src/channels/outbound-budget.js';

const noop: JobHandler = async () => {};
const deliveryBudget = (j: Job) => [{ key: `delivery:${String(j.payload.channelAccountId)}`, scope: 'pair', intervalMs: 1, burst: 1 }];
const desk: DeskJobs = { postCard: noop, updateCard: noop, relay: noop, remind: noop, closeTopic: noop, delivery: noop, notify: noop, digest: noop, bookingCard: noop, budget: () => [{ key: 'tg:group:-1', scope: 'group', intervalMs: 3200, burst: 1 }] };
const table = (withDesk: boolean) => jobTable({
  pipeline: { handleInbound: noop, deliverMessage: noop, deliveryBudget, summarizeMemory: noop, customerReminder: noop, forgetContact: noop, instagramProfile: noop }, pipelineOptions: DEFAULT_PIPELINE_OPTIONS, desk: withDesk ? desk : null, knowledge: { embed: noop }, integrations: { webhookDeliver: noop, crmSync: noop, prune: noop }, dashboard: { digest: noop, prune: noop }, learning: { draft: noop, propose: noop, telegram: withDesk ? { show: noop, digest: noop, redrawDigest: noop } : null }, maintenance: { pruneJobs: noop },
});
const job = (over: Partial<Job>): Job => ({
  id: 1, kind: 'k', tenantId: 7, payload: {}, concurrencyKey: 'contact:3', uniqueKey: null, state: 'running', attempts: 1, maxAttempts: 5, runAt: 0,
  lockedUntil: null, lockedBy: null, lastError: null, traceId: null, createdAt: 0, updatedAt: 0, finishedAt: null, ...over,
});

describe('the job table', () => {
  test('has one row for every job kind the pipeline, the desk and maintenance enqueue', () => {
    const kinds = table(true).map((r) => r.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.sort()).toEqual([...new Set([...Object.values(JOB), ...Object.values(KNOWLEDGE_JOB), ...Object.values(LEARNING_JOB), ...Object.values(INTEGRATION_JOB), ...Object.values(DASHBOARD_JOB), ...Object.values(SALES_JOB), ...Object.values(INSTAGRAM_JOB), PRUNE_JOBS])].sort());
  });

  test('without a Telegram bot the desk kinds are not run (they wait in the queue)', () => {
    expect(table(false).map((r) => r.kind).sort()).toEqual([JOB.handleInbound, JOB.deliverMessage, JOB.summarizeMemory, SALES_JOB.customerReminder, SALES_JOB.forgetContact, INSTAGRAM_JOB.fetchProfile, KNOWLEDGE_JOB.embed, LEARNING_JOB.draft, LEARNING_JOB.propose, ...Object.values(INTEGRATION_JOB), ...Object.values(DASHBOARD_JOB), PRUNE_JOBS].sort());
  });

  test.each([
    [JOB.deliverMessage, 'reply'], [JOB.handleInbound, 'customer'], [JOB.postHandoverCard, 'desk'], [JOB.deskRemind, 'desk'],
    [JOB.summarizeMemory, 'background'], [PRUNE_JOBS, 'background'], [SALES_JOB.bookingCard, 'desk'], [SALES_JOB.customerReminder, 'background'], [INSTAGRAM_JOB.fetchProfile, 'background'],
  ])('%s runs in the %s lane', (kind, lane) => {
    expect(table(true).find((r) => r.kind === kind)?.lane).toBe(lane);
  });

  test('customer-facing work is in the customer lanes, and nothing else is', () => {
    const customer = table(true).filter((r) => CUSTOMER_LANES.includes(r.lane)).map((r) => r.kind).sort();
    expect(customer).toEqual([JOB.handleInbound, JOB.deliverMessage].sort());
  });

  test("a delivery takes its channel's budgets (src/channels/outbound-budget.ts); every desk job takes its chat's", () => {
    const rows = table(true);
    const reply = rows.find((r) => r.kind === JOB.deliverMessage)!;
    expect(reply.budget).toBe(deliveryBudget);
    for (const row of rows.filter((r) => r.lane === 'desk')) expect(row.budget, row.kind).toBe(desk.budget);
  });

  test("an Instagram profile lookup takes its account's profile budget, never the pair budget a reply to that customer needs", () => {
    const row = table(true).find((r) => r.kind === INSTAGRAM_JOB.fetchProfile)!;
    expect(row.budget).toBe(instagramProfileBudgetOf);
    const needs = row.budget!(job({ kind: INSTAGRAM_JOB.fetchProfile, payload: { contactId: 3, channelAccountId: 12 } }));
    expect(needs).toEqual([{ key: 'ig:profile:12', scope: 'profile', intervalMs: 18_500, burst: 5 }]);
    // At most 199 lookups in any hour per account: under Instagram's ~200 calls an hour.
    expect(needs[0]!.burst + 3_600_000 / needs[0]!.intervalMs).toBeLessThan(200);
    expect(row.policy.maxAttempts).toBeGreaterThan(1);
  });
});
