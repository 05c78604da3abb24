import type { BookingState } from '../sales/booking-states.js';
import type { Booking, BookingActor, BookingStore } from '../sales/ports.js';
import type { BookingTenantPort } from '../sales/booking-decision.js';
import type { TextOverrides } from '../texts/texts.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

const COLUMNS = `b.id, b.tenant_id AS tenantId, b.contact_id AS contactId, b.service, b.preferred_time AS preferredTime,
  b.customer_name AS customerName, b.locale, b.state, b.created_at AS createdAt, b.decided_at AS decidedAt,
  b.decided_by_name AS decidedByName, b.trace_id AS traceId, b.appointment_at AS appointmentAt`;

/** A booking with what its card shows. */
export interface BookingCardRow extends Booking {
  customerPhone: string;
  cardChatId: number | null;
  cardMessageId: number | null;
}

export interface BookingEvent {
  at: number;
  state: string;
  actorKind: string;
  actorName: string | null;
}

/** Booking requests and their audit trail (migration 0018). Every query names the tenant. */
export class SqlBookingStore implements BookingStore, BookingTenantPort {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  create(draft: Omit<Booking, 'id' | 'state' | 'decidedAt' | 'decidedByName'>): number {
    const id = Number(prepareCached(this.db, `INSERT INTO sales_bookings (tenant_id, contact_id, service, preferred_time, customer_name, locale, created_at, trace_id, appointment_at)
      SELECT ?, id, ?, ?, ?, ?, ?, ?, ? FROM contacts WHERE id = ? AND tenant_id = ?`)
      .run(draft.tenantId, draft.service, draft.preferredTime, draft.customerName, draft.locale, draft.createdAt, draft.traceId, draft.appointmentAt, draft.contactId, draft.tenantId).lastInsertRowid);
    this.event(draft.tenantId, id, 'requested', { kind: 'bot', id: null, name: null }, draft.createdAt);
    return id;
  }

  load(tenantId: number, bookingId: number): Booking | null {
    return (prepareCached(this.db, `SELECT ${COLUMNS} FROM sales_bookings b WHERE b.tenant_id = ? AND b.id = ?`).get(tenantId, bookingId) as Booking | undefined) ?? null;
  }

  ofContact(tenantId: number, contactId: number, limit: number): Booking[] {
    return prepareCached(this.db, `SELECT ${COLUMNS} FROM sales_bookings b WHERE b.tenant_id = ? AND b.contact_id = ? ORDER BY b.id DESC LIMIT ?`).all(tenantId, contactId, limit) as Booking[];
  }

  move(tenantId: number, bookingId: number, from: BookingState, to: BookingState, actor: BookingActor, now: number): boolean {
    const changed = prepareCached(this.db, `UPDATE sales_bookings SET state = ?, decided_at = ?, decided_by_id = ?, decided_by_name = ?
      WHERE tenant_id = ? AND id = ? AND state = ?`).run(to, now, actor.id, actor.name, tenantId, bookingId, from).changes === 1;
    if (changed) this.event(tenantId, bookingId, to, actor, now);
    return changed;
  }

  private event(tenantId: number, bookingId: number, state: string, actor: BookingActor, at: number): void {
    prepareCached(this.db, 'INSERT INTO sales_booking_events (tenant_id, booking_id, at, state, actor_kind, actor_id, actor_name) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(tenantId, bookingId, at, state, actor.kind, actor.id, actor.name);
  }

  events(tenantId: number, bookingId: number): BookingEvent[] {
    return prepareCached(this.db, `SELECT at, state, actor_kind AS actorKind, actor_name AS actorName FROM sales_booking_events
      WHERE tenant_id = ? AND booking_id = ? ORDER BY id`).all(tenantId, bookingId) as BookingEvent[];
  }

  customerRoute(tenantId: number, contactId: number): { channelAccountId: number; business: string; texts: TextOverrides | null } | null {
    const row = prepareCached(this.db, `SELECT c.channel_account_id AS channelAccountId, t.name AS business, t.texts FROM contacts c JOIN tenants t ON t.id = c.tenant_id
      WHERE c.tenant_id = ? AND c.id = ?`).get(tenantId, contactId) as { channelAccountId: number; business: string; texts: string | null } | undefined;
    return row ? { ...row, texts: row.texts ? (JSON.parse(row.texts) as TextOverrides) : null } : null;
  }

  /** A booking with the customer's phone and its card, for the desk. */
  forCard(tenantId: number, bookingId: number): BookingCardRow | null {
    return (prepareCached(this.db, `SELECT ${COLUMNS}, c.provider_id AS customerPhone, b.card_chat_id AS cardChatId, b.card_message_id AS cardMessageId
      FROM sales_bookings b JOIN contacts c ON c.id = b.contact_id WHERE b.tenant_id = ? AND b.id = ?`).get(tenantId, bookingId) as BookingCardRow | undefined) ?? null;
  }

  recordCard(tenantId: number, bookingId: number, chatId: number, messageId: number): void {
    prepareCached(this.db, 'UPDATE sales_bookings SET card_chat_id = ?, card_message_id = ? WHERE tenant_id = ? AND id = ?').run(chatId, messageId, tenantId, bookingId);
  }

  /** The tenant a card's booking belongs to, found by the booking id alone (a button press carries only that). */
  tenantOf(bookingId: number): number | null {
    return (prepareCached(this.db, 'SELECT tenant_id AS tenantId FROM sales_bookings WHERE id = ?').get(bookingId) as { tenantId: number } | undefined)?.tenantId ?? null;
  }

  /** A tenant's bookings, newest first, for `botctl bookings`. */
  list(tenantId: number, options: { state?: BookingState; limit: number }): (Booking & { customerPhone: string })[] {
    return prepareCached(this.db, `SELECT ${COLUMNS}, c.provider_id AS customerPhone FROM sales_bookings b JOIN contacts c ON c.id = b.contact_id
      WHERE b.tenant_id = ? AND (? IS NULL OR b.state = ?) ORDER BY b.id DESC LIMIT ?`).all(tenantId, options.state ?? null, options.state ?? null, options.limit) as (Booking & { customerPhone: string })[];
  }
}
