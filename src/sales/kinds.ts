/** Job kinds of the sales module; their rows are in src/worker/job-table.ts. Payloads hold ids only. */
export const SALES_JOB = {
  /** { bookingId }: post the booking card in the managers' group, or redraw it after a decision. */
  bookingCard: 'sales.booking_card',
  /** { reminderId }: remind the customer of a confirmed appointment (a text in the window, else a template). */
  customerReminder: 'sales.customer_reminder',
  /** { contactId, actor }: remove a customer's memory and personal data ("forget me", botctl contact forget). */
  forgetContact: 'sales.forget_contact',
} as const;
