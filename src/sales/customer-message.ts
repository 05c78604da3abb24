import { contactKey, JOB } from '../conversation/job-kinds.js';
import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer, OutboundDraft } from '../conversation/ports.js';

export interface CustomerMessageDeps {
  outbound: { insertOutbound(draft: OutboundDraft): number };
  queue: JobEnqueuer;
  events: IntegrationEvents;
}

/**
 * THE one place the sales module sends a customer a message: the stored outbound row and its delivery job, through
 * the pipeline's outbound path (src/conversation/send-reply.ts). Call inside the caller's transaction.
 */
export function queueCustomerMessage(deps: CustomerMessageDeps, draft: Omit<OutboundDraft, 'authorKind'> & { authorKind?: OutboundDraft['authorKind'] }): number {
  const id = deps.outbound.insertOutbound({ authorKind: 'bot', ...draft });
  deps.events.emit({ type: 'message.created', tenantId: draft.tenantId, contactId: draft.contactId, messageId: id });
  deps.queue.enqueue({ kind: JOB.sendReply, tenantId: draft.tenantId, payload: { messageId: id }, concurrencyKey: contactKey(draft.contactId), traceId: draft.traceId });
  return id;
}
