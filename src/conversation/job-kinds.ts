/** Job kinds of the message pipeline and the desk. Payloads hold ids only; handlers read the rows. */
export const JOB = {
  handleInbound: 'handle_inbound', // { contactId }
  sendReply: 'send_whatsapp', // { messageId }
  postHandoverCard: 'post_handover_card', // { handoverId }
  relayToDesk: 'relay_to_desk', // { handoverId, messageId }
} as const;

export const contactKey = (contactId: number) => `contact:${contactId}`;
