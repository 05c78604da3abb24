import type { DomainEvent, IntegrationEvents } from '../../conversation/integration-events.js';
import type { JobEnqueuer } from '../../conversation/ports.js';
import { INSTAGRAM_JOB, PROFILE_POLICY, PROFILE_TIMING, type ProfileTiming } from './profile-lookup.js';

/** Marks a due contact requested (src/storage/contact-profile-store.ts). */
export interface ProfileRequestStore {
  requestIfDue(tenantId: number, messageId: number, now: number, timing: ProfileTiming): { contactId: number; channelAccountId: number; traceId: string | null } | null;
}

/**
 * The intake's event port with profile lookups added: every event goes on to `next` (the integrations outbox), and
 * a stored customer message whose contact is an Instagram customer due a lookup queues one, in the intake's own
 * transaction (so it exists exactly when the message does). Nothing here calls the network; the job runs later in
 * the background lane, so the reply never waits for it.
 */
export function withProfileRequests(next: IntegrationEvents, deps: { store: ProfileRequestStore; queue: JobEnqueuer; clock: () => number; timing?: ProfileTiming }): IntegrationEvents {
  const timing = deps.timing ?? PROFILE_TIMING;
  return {
    emit(event: DomainEvent): void {
      next.emit(event);
      if (event.type !== 'message.created') return;
      const due = deps.store.requestIfDue(event.tenantId, event.messageId, deps.clock(), timing);
      if (!due) return;
      deps.queue.enqueue({
        kind: INSTAGRAM_JOB.fetchProfile, tenantId: event.tenantId, payload: { contactId: due.contactId, channelAccountId: due.channelAccountId },
        uniqueKey: `ig-profile:${due.contactId}`, maxAttempts: PROFILE_POLICY.maxAttempts, traceId: due.traceId,
      });
    },
  };
}
