/** Job kinds of the sales module; their rows are in src/worker/job-table.ts. Payloads hold ids only. */
export const SALES_JOB = {
  /** { bookingId }: post the booking card in the managers' group, or redraw it after a decision. */
  bookingCard: 'sales.booking_card',
} as const;
