import { randomUUID } from 'node:crypto';
import type { AccountBatch } from '../channels/types.js';
import { NO_INTEGRATION_EVENTS, type IntegrationEvents } from './integration-events.js';
import { contactKey, JOB } from './job-kinds.js';
import type { IntakeAccount, IntakeStore, JobEnqueuer, Tracer } from './ports.js';

export interface IntakeResult {
  stored: number;
  duplicates: number;
  statuses: number;
  ignoredDisabled: number;
}

export interface VerifiedBatch {
  account: IntakeAccount;
  batch: AccountBatch;
}

/**
 * Accepts a verified webhook delivery: in one durable transaction (shared with deliveries arriving at the same
 * moment: group commit), each new message is stored (unique on its
 * provider id) with its contact, and the contact's answer job is (re)scheduled `debounceMs` later, so messages
 * sent in quick succession are answered together. Duplicates store and enqueue nothing.
 */
export class Intake {
  constructor(
    private readonly store: IntakeStore,
    private readonly queue: JobEnqueuer,
    private readonly tracer: Tracer,
    private readonly debounceMs: number,
    private readonly clock: () => number = Date.now,
    /** Called when a delivery status changed an outbound message (the desk shows managers theirs). */
    private readonly onStatus: (message: { id: number; authorKind: string }) => void = () => undefined,
    /** Integrations follow new conversations, contacts and messages (reported inside the intake transaction). */
    private readonly events: IntegrationEvents = NO_INTEGRATION_EVENTS,
  ) {}

  async accept(batches: readonly VerifiedBatch[]): Promise<IntakeResult> {
    const result: IntakeResult = { stored: 0, duplicates: 0, statuses: 0, ignoredDisabled: 0 };
    const now = this.clock();
    await this.store.durableTransaction(() => {
      for (const { account, batch } of batches) {
        for (const message of batch.messages) {
          const traceId = randomUUID();
          const quiet = this.needsNoAnswer(account, message, now);
          const stored = this.store.storeInbound(account, message, traceId, now, { ignored: quiet !== null });
          if (!stored) {
            result.duplicates++;
            continue;
          }
          this.applyEffects(account, message, now);
          result.stored++;
          this.tracer.record({ tenantId: account.tenantId, traceId, step: 'webhook.received', messageId: stored.messageId, at: now, detail: { wamid: message.providerMessageId, kind: message.kind } });
          if (quiet !== null) {
            this.tracer.record({ tenantId: account.tenantId, traceId, step: 'turn.ignored', messageId: stored.messageId, at: now, outcome: 'skipped', detail: { reason: quiet } });
            continue;
          }
          if (account.tenantStatus === 'disabled') {
            result.ignoredDisabled++;
            continue;
          }
          const { tenantId } = account;
          if (stored.conversationStarted) this.events.emit({ type: 'conversation.started', tenantId, contactId: stored.contactId });
          if (stored.contactChanged) this.events.emit({ type: 'contact.updated', tenantId, contactId: stored.contactId });
          this.events.emit({ type: 'message.created', tenantId, contactId: stored.contactId, messageId: stored.messageId });
          this.queue.enqueue({
            kind: JOB.handleInbound, tenantId: account.tenantId, payload: { contactId: stored.contactId },
            concurrencyKey: contactKey(stored.contactId), uniqueKey: `inbound:${stored.contactId}`, runAt: now + this.debounceMs, traceId,
          });
        }
        for (const status of batch.statuses) {
          const applied = this.store.applyStatus(account, status, now);
          if (!applied) continue;
          if (applied.changed) {
            result.statuses++;
            this.onStatus({ id: applied.messageId, authorKind: applied.authorKind });
          }
          this.tracer.record({
            tenantId: account.tenantId, traceId: applied.traceId, step: `delivery.${status.status}`, messageId: applied.messageId, at: now,
            outcome: status.status === 'failed' ? 'error' : applied.changed ? 'ok' : 'skipped', detail: status.error ? { error: status.error } : {},
          });
        }
      }
    });
    return result;
  }

  /**
   * Says why a message needs no turn at all (null: it gets one). A system notice (changed number, changed identity)
   * is recorded and never answered; an edit of a message not answered yet only changes that message's text, which
   * its answer will read. A deletion gets a turn: the bot says nothing, but a manager handling the conversation is
   * told (relayed like any message).
   */
  private needsNoAnswer(account: IntakeAccount, message: AccountBatch['messages'][number], now: number): string | null {
    switch (message.kind) {
      case 'system':
        return `system notice: ${message.system?.type ?? 'unknown'}`;
      case 'edit':
        if (message.target && this.store.applyEdit(account, message.target, message.text, now) === 'pending') return 'an edit of a message not answered yet';
        return null;
      default:
        return null;
    }
  }

  /** After a new message is stored (so its contact is found by the identity it arrived with). */
  private applyEffects(account: IntakeAccount, message: AccountBatch['messages'][number], now: number): void {
    if (message.kind === 'revoke' && message.target) this.store.applyRevoke(account, message.target, now);
    if (message.kind === 'system') this.store.applyIdentityChange(account, message, now);
  }
}
