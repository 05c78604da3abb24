import type { DomainEvent, IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer } from '../conversation/ports.js';
import { SqlIntegrationEventStore } from '../storage/integration-event-store.js';
import { buildPayload, contactPayload, handoverPayload, messagePayload, newEventId } from './build-payload.js';
import { WEBHOOK_POLICY, webhookOrderKey } from './delivery-policy.js';
import { CRM_EVENTS, crmOrderKey, INTEGRATION_JOB } from './kinds.js';
import { CRM_SYNC_POLICY } from './crm-policy.js';

/**
 * The integrations side of the core's event port: for a tenant with endpoints or CRMs, it snapshots the event's
 * payload, stores it, and enqueues one delivery job per subscribed endpoint and one sync job per CRM, all on the
 * caller's connection and so inside the transaction of the event's cause. A tenant with no integration costs one
 * indexed lookup per event.
 */
export class IntegrationOutbox implements IntegrationEvents {
  constructor(private readonly deps: { store: SqlIntegrationEventStore; queue: JobEnqueuer; clock: () => number }) {}

  emit(event: DomainEvent): void {
    const { store, queue, clock } = this.deps;
    const targets = store.targets(event.tenantId);
    if (!targets) return;
    const endpoints = targets.endpoints.filter((e) => e.events.includes(event.type));
    const crm = CRM_EVENTS.has(event.type) ? targets.crm : [];
    if (endpoints.length === 0 && crm.length === 0) return;
    const data = this.snapshot(event);
    if (!data) return; // the row is gone (removed with its tenant in the same transaction): nothing to tell
    const now = clock();
    const eventId = store.insertEvent({ tenantId: event.tenantId, contactId: event.contactId, type: event.type, now });
    const payload = buildPayload(event.type, { id: newEventId(), tenant: targets.slug, at: now, data });
    store.setPayload(eventId, JSON.stringify(payload));
    for (const endpoint of endpoints) {
      const deliveryId = store.insertDelivery({ tenantId: event.tenantId, endpointId: endpoint.id, eventId, now });
      queue.enqueue({
        kind: INTEGRATION_JOB.webhookDeliver, tenantId: event.tenantId, payload: { deliveryId },
        concurrencyKey: webhookOrderKey(endpoint.id, event.contactId), maxAttempts: WEBHOOK_POLICY.maxAttempts, traceId: `webhook-${deliveryId}`,
      });
    }
    for (const provider of crm) {
      queue.enqueue({
        kind: INTEGRATION_JOB.crmSync, tenantId: event.tenantId, payload: { eventId, provider },
        concurrencyKey: crmOrderKey(provider, event.contactId), maxAttempts: CRM_SYNC_POLICY.maxAttempts, traceId: `crm-${eventId}`,
      });
    }
  }

  private snapshot(event: DomainEvent): Record<string, unknown> | null {
    const { store } = this.deps;
    const contact = store.contact(event.tenantId, event.contactId);
    if (!contact) return null;
    switch (event.type) {
      case 'conversation.started':
      case 'contact.updated':
        return { contact: contactPayload(contact) };
      case 'message.created': {
        const message = store.message(event.tenantId, event.messageId);
        return message ? { contact: contactPayload(contact), message: messagePayload(message) } : null;
      }
      default: {
        const handover = store.handover(event.tenantId, event.handoverId);
        return handover ? { contact: contactPayload(contact), handover: handoverPayload(handover) } : null;
      }
    }
  }
}

/** The event port on one connection: jobs are enqueued through `queue` on that same connection. */
export function integrationEvents(db: ConstructorParameters<typeof SqlIntegrationEventStore>[0], queue: JobEnqueuer, clock: () => number = Date.now): IntegrationEvents {
  return new IntegrationOutbox({ store: new SqlIntegrationEventStore(db), queue, clock });
}
