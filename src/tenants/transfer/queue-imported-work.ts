import { JOB } from '../../conversation/job-kinds.js';
import type { Queue } from '../../jobs/queue.js';
import { SALES_JOB } from '../../sales/kinds.js';
import type { ParsedTransfer } from './read-transfer-file.js';
import type { IdMaps } from './write-tenant-rows.js';

// As the desk registers its jobs (src/desk/desk.ts): a Telegram outage of hours must not kill a card.
const DESK_MAX_ATTEMPTS = 25;
// As src/worker/job-table.ts registers customer reminders.
const REMINDER_MAX_ATTEMPTS = 10;

export interface QueuedWork {
  /** Open handovers, whose cards the worker posts again in the managers chat. */
  cards: number;
  /** Bookings waiting for a manager's decision, whose cards are posted again. */
  bookingCards: number;
  /** Reminders of confirmed bookings not sent yet, each due at its time. */
  reminders: number;
}

/**
 * The only jobs an import queues (the source's pending jobs are not carried): what the carried state needs to go on
 * here. A new card for each open handover (and a taken one's "no reply yet" reminder, which decides itself when it is
 * due), a new card for each booking still `requested`, and each customer reminder not sent yet at its due time
 * (one already due runs at once; the reminder itself skips an appointment that has passed).
 */
export function queueImportedWork(parsed: ParsedTransfer, maps: IdMaps, queue: Queue, tenantId: number, now: number): QueuedWork {
  const openHandovers = parsed.records.handover.filter((h) => h.row.status !== 'resolved');
  for (const h of openHandovers) {
    const handoverId = maps.handover.get(h.row.id as number)!;
    const traceId = `handover-${handoverId}`;
    queue.enqueue({ kind: JOB.postHandoverCard, tenantId, payload: { handoverId }, traceId, maxAttempts: DESK_MAX_ATTEMPTS });
    if (h.row.status === 'taken') {
      queue.enqueue({ kind: JOB.deskRemind, tenantId, payload: { handoverId, reminder: 'no_reply', n: 1 }, uniqueKey: `remind-reply:${handoverId}`, runAt: now + 1, traceId, maxAttempts: DESK_MAX_ATTEMPTS });
    }
  }
  const requested = parsed.records.booking.filter((b) => b.row.state === 'requested');
  for (const b of requested) {
    const bookingId = maps.booking.get(b.row.id as number)!;
    queue.enqueue({ kind: SALES_JOB.bookingCard, tenantId, payload: { bookingId }, concurrencyKey: `booking:${bookingId}`, traceId: String(b.row.trace_id ?? `booking-${bookingId}`), maxAttempts: DESK_MAX_ATTEMPTS });
  }
  const unsent = parsed.records.booking_reminder.filter((r) => r.row.sent_at === null);
  for (const r of unsent) {
    const reminderId = maps.booking_reminder.get(r.row.id as number)!;
    queue.enqueue({ kind: SALES_JOB.customerReminder, tenantId, payload: { reminderId }, runAt: Math.max(r.row.due_at as number, now), uniqueKey: `reminder:${reminderId}`, maxAttempts: REMINDER_MAX_ATTEMPTS });
  }
  return { cards: openHandovers.length, bookingCards: requested.length, reminders: unsent.length };
}
