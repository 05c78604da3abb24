import type { BookingArguments, BookingField } from '../brain/booking-tool.js';
import type { IntegrationEvents } from '../conversation/integration-events.js';
import type { ConversationStore, JobEnqueuer, TurnData } from '../conversation/ports.js';
import type { Locale } from '../tenants/settings.js';
import { renderText, type TextKey } from '../texts/texts.js';
import { queueCustomerMessage } from './customer-message.js';
import { SALES_JOB } from './kinds.js';
import type { BookingStore, OfferPort, ServiceStore } from './ports.js';
import { OFFER_CONVERSATION_MS } from './offers.js';

export interface BookingTurnDeps {
  store: ConversationStore;
  bookings: BookingStore;
  services: ServiceStore;
  queue: JobEnqueuer;
  events: IntegrationEvents;
  clock: () => number;
  /** Counts an offer accepted when the customer books its service after it was offered in this conversation. */
  offers?: OfferPort;
}

const FIELD_KEYS: Record<BookingField, TextKey> = { service: 'booking_field_service', time: 'booking_field_time', name: 'booking_field_name' };

/**
 * A turn where the model asked to book. Complete: one request in `requested`, the card job and the customer's
 * "passed to a manager" message, all in one transaction (a crash leaves either all or nothing, and the turn is
 * redone). A request still waiting for this customer is not doubled. Incomplete: the bot asks for what is missing.
 * Nothing here confirms a slot: only a manager's decision does (booking-decision.ts).
 */
export function recordBookingTurn(
  deps: BookingTurnDeps, turn: TurnData, outcome: { request: BookingArguments } | { missing: BookingField[] }, language: Locale,
): { bookingId: number | null; text: TextKey } {
  const { store, clock } = deps;
  const tenant = turn.tenant;
  const traceId = turn.pending.at(-1)!.traceId;
  const ids = turn.pending.map((m) => m.id);
  const render = (key: TextKey, vars: Record<string, string>) => renderText(language, key, { business: tenant.name, ...vars }, tenant.texts);
  const send = (body: string) => queueCustomerMessage({ outbound: store, queue: deps.queue, events: deps.events }, { tenantId: tenant.id, channelAccountId: tenant.channelAccountId, contactId: turn.contact.id, handoverId: null, body, traceId });

  if ('missing' in outcome) {
    const services = deps.services.list(tenant.id).map((s) => s.name).join(', ');
    const details = outcome.missing.map((field) => render(FIELD_KEYS[field], { services })).join('; ');
    store.transaction(() => {
      send(render('booking_ask_details', { details }));
      store.markOutcome(ids, 'replied');
    });
    return { bookingId: null, text: 'booking_ask_details' };
  }

  const { request } = outcome;
  return store.transaction(() => {
    const waiting = deps.bookings.ofContact(tenant.id, turn.contact.id, 5).find((b) => b.state === 'requested');
    if (waiting) {
      send(render('booking_already_requested', { service: waiting.service, time: waiting.preferredTime }));
      store.markOutcome(ids, 'replied');
      return { bookingId: waiting.id, text: 'booking_already_requested' as const };
    }
    const bookingId = deps.bookings.create({
      tenantId: tenant.id, contactId: turn.contact.id, service: request.service, preferredTime: request.preferredTime,
      customerName: request.customerName, locale: language, createdAt: clock(), traceId, appointmentAt: request.appointmentAt,
    });
    for (const offered of deps.offers?.offeredSince(tenant.id, turn.contact.id, clock() - OFFER_CONVERSATION_MS) ?? []) {
      if (offered.service !== null && offered.service.toLowerCase() === request.service.toLowerCase()) deps.offers!.record(tenant.id, offered.offerId, turn.contact.id, 'accepted', clock(), bookingId);
    }
    send(render('booking_requested', { service: request.service, time: request.preferredTime, name: request.customerName }));
    store.markOutcome(ids, 'replied');
    deps.queue.enqueue({ kind: SALES_JOB.bookingCard, tenantId: tenant.id, payload: { bookingId }, concurrencyKey: `booking:${bookingId}`, traceId });
    return { bookingId, text: 'booking_requested' as const };
  });
}
