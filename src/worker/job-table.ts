import { JOB } from '../conversation/job-kinds.js';
import { INSTAGRAM_JOB, PROFILE_POLICY } from '../channels/instagram/profile-lookup.js';
import { instagramProfileBudgetOf } from '../channels/outbound-budget.js';
import type { DeskJobs } from '../desk/desk.js';
import { registerKinds, type KindEntry } from '../jobs/kind-table.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { RetryPolicy } from '../jobs/retry-policy.js';
import type { MaintenanceJobs } from './maintenance-jobs.js';
import { LEARNING_JOB } from '../learning/kinds.js';
import { DASHBOARD_JOB, DASHBOARD_JOB_POLICY, type DashboardJobs } from '../dashboard/digest.js';
import { CRM_SYNC_POLICY, crmBudget } from '../integrations/crm-policy.js';
import { WEBHOOK_POLICY } from '../integrations/delivery-policy.js';
import { INTEGRATION_JOB } from '../integrations/kinds.js';
import { INTEGRATION_PRUNE_POLICY, type IntegrationJobs } from '../integrations/register.js';
import { LEARNING_LLM_POLICY, type LearningJobs } from './learning-jobs.js';
import { KNOWLEDGE_JOB } from '../knowledge/job-kinds.js';
import { EMBED_POLICY, type KnowledgeJobs } from '../knowledge/wiring.js';
import { PRUNE_JOBS } from './maintenance-jobs.js';
import { SALES_JOB } from '../sales/kinds.js';
import type { PipelineJobs, PipelineOptions } from './pipeline.js';

/**
 * THE table of what the worker runs: one row per job kind with its lane, handler, retry policy and rate budget
 * (the row's shape is documented on KindEntry in src/jobs/kind-table.ts). A kind not in this table is not run.
 *
 * Lanes (src/jobs/lanes.ts): `reply` delivers what a customer is waiting for and is claimed first; `customer` is
 * the answers (LLM calls, holding replies); `desk` is the managers' group; `background` is memory, learning and
 * maintenance. The desk and background lanes together never take the slots reserved for the customer lanes.
 *
 * Budgets: a job that sends to a rate-limited destination names it; the runner takes a unit before starting the
 * job and otherwise sends it back to the queue until one frees (src/jobs/budgets.ts).
 */
export interface JobTableDeps {
  pipeline: PipelineJobs;
  pipelineOptions: PipelineOptions;
  /** Null when the cell has no Telegram bot: desk jobs then wait in the queue, unclaimed, until it has one. */
  desk: DeskJobs | null;
  knowledge: KnowledgeJobs;
  learning: LearningJobs;
  integrations: IntegrationJobs;
  dashboard: DashboardJobs;
  maintenance: MaintenanceJobs;
}

const DESK_POLICY: Partial<RetryPolicy> = { maxAttempts: 25, baseDelayMs: 1000, maxDelayMs: 10 * 60_000, timeoutMs: 60_000 };

export function jobTable(deps: JobTableDeps): KindEntry[] {
  const { pipeline, pipelineOptions: options, desk, knowledge, learning, integrations, dashboard, maintenance } = deps;
  const rows: KindEntry[] = [
    {
      // Every channel's delivery (src/channels/deliver-message.ts). Budgets by the account's channel
      // (src/channels/outbound-budget.ts): WhatsApp's number and pair; Instagram's ≈200/hour per account-user pair;
      // a customer bot's 1/s per chat and 30/s per bot. The job's concurrency key is the contact.
      kind: JOB.deliverMessage, lane: 'reply', handler: pipeline.deliverMessage,
      policy: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 5 * 60_000, timeoutMs: options.graphTimeoutMs + 5000 },
      budget: pipeline.deliveryBudget,
    },
    {
      // The brain retries the LLM within its own deadline; a job retry is for a crash or a storage error.
      kind: JOB.handleInbound, lane: 'customer', handler: pipeline.handleInbound,
      policy: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: options.brain.deadlineMs + 60_000 },
    },
    {
      kind: JOB.summarizeMemory, lane: 'background', handler: pipeline.summarizeMemory,
      policy: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 30 * 60_000, timeoutMs: 60_000 },
    },
    // A confirmed booking's reminder: nobody waits on it at that moment, so background. It only queues the message;
    // the deliver_message job takes the channel's budget (a burst of reminders at 10:00 waits in the queue).
    {
      kind: SALES_JOB.customerReminder, lane: 'background', handler: pipeline.customerReminder,
      policy: { maxAttempts: 10, baseDelayMs: 5000, maxDelayMs: 10 * 60_000, timeoutMs: 30_000 },
    },
    // An Instagram customer's @username and name for the card: queued with their message, read in the background so
    // the reply never waits; the account's profile budget (≈200 calls/hour, apart from the replies' pair budgets).
    { kind: INSTAGRAM_JOB.fetchProfile, lane: 'background', handler: pipeline.instagramProfile, policy: PROFILE_POLICY, budget: instagramProfileBudgetOf },
    // "Forget me": one short transaction; nobody waits on it.
    { kind: SALES_JOB.forgetContact, lane: 'background', handler: pipeline.forgetContact, policy: { maxAttempts: 10, baseDelayMs: 5000, maxDelayMs: 10 * 60_000, timeoutMs: 30_000 } },
    // Vectors of imported knowledge: until they exist, turns rank by words (nothing waits for them).
    { kind: KNOWLEDGE_JOB.embed, lane: 'background', handler: knowledge.embed, policy: EMBED_POLICY },
    // Managers teach the bot: drafts from an answer, proposals from a resolved request (both call the LLM).
    { kind: LEARNING_JOB.draft, lane: 'background', handler: learning.draft, policy: LEARNING_LLM_POLICY },
    { kind: LEARNING_JOB.propose, lane: 'background', handler: learning.propose, policy: LEARNING_LLM_POLICY },
    // Signed webhooks and CRM syncs: a CRM account's calls are spaced by its budget (src/integrations/crm-policy.ts).
    { kind: INTEGRATION_JOB.webhookDeliver, lane: 'background', handler: integrations.webhookDeliver, policy: WEBHOOK_POLICY },
    { kind: INTEGRATION_JOB.crmSync, lane: 'background', handler: integrations.crmSync, policy: CRM_SYNC_POLICY, budget: crmBudget },
    { kind: INTEGRATION_JOB.prune, lane: 'background', handler: integrations.prune, policy: INTEGRATION_PRUNE_POLICY },
    // The owners' digests (they queue desk notices) and the pruning of ended dashboard logins.
    { kind: DASHBOARD_JOB.digest, lane: 'background', handler: dashboard.digest, policy: DASHBOARD_JOB_POLICY },
    { kind: DASHBOARD_JOB.prune, lane: 'background', handler: dashboard.prune, policy: { ...DASHBOARD_JOB_POLICY, timeoutMs: 60_000 } },
    { kind: PRUNE_JOBS, lane: 'background', handler: maintenance.pruneJobs, policy: { maxAttempts: 3, timeoutMs: 5 * 60_000 } },
  ];
  if (desk) {
    const budget = desk.budget;
    rows.push(
      // Cards go in the fair order of their group's tenant (oldest first), behind the digest that names them all.
      { kind: JOB.postHandoverCard, lane: 'desk', handler: desk.postCard, policy: DESK_POLICY, budget },
      { kind: JOB.deskUpdateCard, lane: 'desk', handler: desk.updateCard, policy: DESK_POLICY, budget },
      { kind: JOB.relayToDesk, lane: 'desk', handler: desk.relay, policy: DESK_POLICY, budget },
      { kind: JOB.deskRemind, lane: 'desk', handler: desk.remind, policy: DESK_POLICY, budget },
      { kind: JOB.deskCloseTopic, lane: 'desk', handler: desk.closeTopic, policy: { ...DESK_POLICY, maxAttempts: 5 }, budget },
      { kind: JOB.deskDelivery, lane: 'desk', handler: desk.delivery, policy: { ...DESK_POLICY, maxAttempts: 8 }, budget },
      // A group's digest of waiting requests goes before their cards: it makes every one of them visible at once.
      { kind: JOB.deskDigest, lane: 'desk', handler: desk.digest, policy: DESK_POLICY, budget, first: true },
      // On-call alerts and owner notices are few and urgent.
      { kind: JOB.deskNotify, lane: 'desk', handler: desk.notify, policy: DESK_POLICY, budget, first: true },
      // Booking requests (src/sales/): the card with Confirm / Offer another time / Decline, redrawn after a decision.
      { kind: SALES_JOB.bookingCard, lane: 'desk', handler: desk.bookingCard, policy: DESK_POLICY, budget },
    );
    if (learning.telegram) {
      // Drafts shown in a request's thread, and the day's digest of proposals: the group's budget, like cards.
      rows.push(
        { kind: LEARNING_JOB.show, lane: 'desk', handler: learning.telegram.show, policy: DESK_POLICY, budget },
        { kind: LEARNING_JOB.digest, lane: 'desk', handler: learning.telegram.digest, policy: DESK_POLICY, budget },
        { kind: LEARNING_JOB.redrawDigest, lane: 'desk', handler: learning.telegram.redrawDigest, policy: { ...DESK_POLICY, maxAttempts: 8 }, budget },
      );
    }
  }
  return rows;
}

/** Registers the table: the one place a worker learns its job kinds. */
export function registerJobTable(registry: JobRegistry, deps: JobTableDeps): void {
  registerKinds(registry, jobTable(deps));
}
