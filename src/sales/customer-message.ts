import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer, OutboundDraft } from '../conversation/ports.js';
import { queueOutbound } from '../conversation/queue-outbound.js';

export interface CustomerMessageDeps {
  outbound: { insertOutbound(draft: OutboundDraft): number };
  queue: JobEnqueuer;
  events: IntegrationEvents;
}

/**
 * THE one place the sales module sends a customer a message: the stored outbound row and its delivery job, through
 * the one outbound path of every channel (queueOutbound, src/channels/deliver-message.ts). Call inside the caller's transaction.
 */
export function queueCustomerMessage(deps: CustomerMessageDeps, draft: Omit<OutboundDraft, 'authorKind'> & { authorKind?: OutboundDraft['authorKind'] }): number {
  const id = deps.outbound.insertOutbound({ authorKind: 'bot', ...draft });
  deps.events.emit({ type: 'message.created', tenantId: draft.tenantId, contactId: draft.contactId, messageId: id });
  queueOutbound(deps.queue, { tenantId: draft.tenantId, channelAccountId: draft.channelAccountId, contactId: draft.contactId, messageId: id, traceId: draft.traceId });
  return id;
}
