/** Job kinds of the message pipeline and the desk. Payloads hold ids only; handlers read the rows. */
export const JOB = {
  handleInbound: 'handle_inbound', // { contactId }
  /** Delivers one stored outbound message on the contact's channel; queued only by queueOutbound (queue-outbound.ts). */
  deliverMessage: 'deliver_message', // { messageId, channelAccountId }
  postHandoverCard: 'post_handover_card', // { handoverId }
  relayToDesk: 'relay_to_desk', // { handoverId, messageId }
  deskUpdateCard: 'desk.update_card', // { handoverId }
  deskRemind: 'desk.remind', // { handoverId, reminder: 'untaken' | 'no_reply', n }
  deskCloseTopic: 'desk.close_topic', // { handoverId }
  deskDelivery: 'desk.delivery', // { messageId }: show a manager's message's delivery state
  deskNotify: 'desk.notify', // { chatId, html, threadId?, replyTo?, tenantId? }
  deskDigest: 'desk.digest', // {} (tenantId): list a group's waiting requests while their cards wait for its rate budget
  summarizeMemory: 'memory.summarize', // { contactId }: after the conversation went quiet
  learningPropose: 'learning.propose', // { handoverId }: after resolve; the same kind as LEARNING_JOB.propose (src/learning/kinds.ts)
} as const;

export const contactKey = (contactId: number) => `contact:${contactId}`;
