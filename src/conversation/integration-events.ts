/**
 * Facts other systems follow (signed webhooks, CRMs). The core reports each one inside the transaction of its
 * cause; the integrations adapter (src/integrations/outbox.ts) turns it into durable jobs on the same connection,
 * so an event exists exactly when its cause does. The core knows nothing of endpoints, CRMs or HTTP.
 */
export type DomainEvent =
  | { type: 'conversation.started' | 'contact.updated'; tenantId: number; contactId: number }
  | { type: 'message.created'; tenantId: number; contactId: number; messageId: number }
  | { type: 'handover.opened' | 'handover.taken' | 'handover.resolved'; tenantId: number; contactId: number; handoverId: number };

export interface IntegrationEvents {
  /** Call inside the cause's transaction; must not await or call the network. */
  emit(event: DomainEvent): void;
}

/** For callers that run without integrations (unit tests of the core, tools that write no conversation data). */
export const NO_INTEGRATION_EVENTS: IntegrationEvents = { emit: () => undefined };
