import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { JobEnqueuer, OutboundDraft } from '../conversation/ports.js';
import type { TextOverrides } from '../texts/texts.js';
import { renderText, type TextKey } from '../texts/texts.js';
import { decideBooking, type BookingDecision, type BookingState } from './booking-states.js';
import { queueCustomerMessage } from './customer-message.js';
import { SALES_JOB } from './kinds.js';
import type { BookingActor, BookingStore } from './ports.js';
import { scheduleReminders, type ReminderStore } from './reminders.js';

/** Where a decided booking's customer is reached (the tenant's channel account and its texts). */
export interface BookingTenantPort {
  customerRoute(tenantId: number, contactId: number): { channelAccountId: number; business: string; texts: TextOverrides | null } | null;
}

export interface BookingDecisionDeps {
  bookings: BookingStore;
  tenants: BookingTenantPort;
  outbound: { insertOutbound(draft: OutboundDraft): number };
  queue: JobEnqueuer;
  events: IntegrationEvents;
  clock: () => number;
  /** Where a confirmed booking's customer reminders are scheduled. */
  reminders: ReminderStore;
}

const CUSTOMER_TEXT: Record<BookingDecision, TextKey> = { confirm: 'booking_confirmed', other_time: 'booking_other_time', decline: 'booking_declined' };

export type DecisionResult = { ok: true; state: BookingState } | { ok: false; reason: 'not_found' | 'already_decided'; state?: BookingState };

/**
 * A manager's decision on a booking request: the state moves once (a second press, or a second manager, finds it
 * decided), the customer gets the decision in the language they booked in, and the card is redrawn. All in one
 * transaction, so the decision and the message to the customer exist together or not at all.
 */
export function applyBookingDecision(deps: BookingDecisionDeps, tenantId: number, bookingId: number, decision: BookingDecision, actor: BookingActor): DecisionResult {
  return deps.bookings.transaction((): DecisionResult => {
    const booking = deps.bookings.load(tenantId, bookingId);
    if (!booking) return { ok: false, reason: 'not_found' };
    const transition = decideBooking(booking.state, decision);
    if (!transition.ok) return { ok: false, reason: 'already_decided', state: transition.state };
    const route = deps.tenants.customerRoute(tenantId, booking.contactId);
    if (!route) return { ok: false, reason: 'not_found' };
    if (!deps.bookings.move(tenantId, bookingId, booking.state, transition.to, actor, deps.clock())) {
      return { ok: false, reason: 'already_decided', state: deps.bookings.load(tenantId, bookingId)?.state ?? booking.state };
    }
    const body = renderText(booking.locale, CUSTOMER_TEXT[decision], { business: route.business, service: booking.service, time: booking.preferredTime, name: booking.customerName }, route.texts);
    queueCustomerMessage(deps, {
      tenantId, channelAccountId: route.channelAccountId, contactId: booking.contactId, handoverId: null, body, traceId: booking.traceId ?? `booking-${bookingId}`,
    });
    deps.queue.enqueue({ kind: SALES_JOB.bookingCard, tenantId, payload: { bookingId }, concurrencyKey: `booking:${bookingId}` });
    if (transition.to === 'confirmed' && booking.appointmentAt !== null) scheduleReminders(deps, tenantId, bookingId, booking.appointmentAt, deps.clock());
    return { ok: true, state: transition.to };
  });
}
