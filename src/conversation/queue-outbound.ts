import { JOB, contactKey } from './job-kinds.js';
import type { JobEnqueuer } from './ports.js';

/** A stored outbound message to deliver: the row's ids (the deliver job reads the row when it runs). */
export interface OutboundRef {
  tenantId: number;
  /** The channel account the customer wrote to: it chooses the channel that delivers (WhatsApp, Instagram, Telegram). */
  channelAccountId: number;
  contactId: number;
  messageId: number;
  traceId: string;
}

/**
 * The one way anything reaches a customer: bot answers, holding replies, greetings and managers' messages all queue
 * one `deliver_message` job, serial per contact so the customer reads them in the order they were written. Call it
 * in the transaction that stored the message, so a message is never stored without its delivery, nor the reverse.
 */
export function queueOutbound(queue: JobEnqueuer, ref: OutboundRef): number {
  return queue.enqueue({
    kind: JOB.deliverMessage, tenantId: ref.tenantId, payload: { messageId: ref.messageId, channelAccountId: ref.channelAccountId },
    concurrencyKey: contactKey(ref.contactId), traceId: ref.traceId,
  });
}
