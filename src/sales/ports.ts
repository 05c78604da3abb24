import type { Locale } from '../tenants/settings.js';
import type { BookingState } from './booking-states.js';
import type { Offer } from './offers.js';
import type { Service } from './services.js';

export interface Booking {
  id: number;
  tenantId: number;
  contactId: number;
  service: string;
  preferredTime: string;
  customerName: string;
  locale: Locale;
  state: BookingState;
  createdAt: number;
  appointmentAt: number | null;
  decidedAt: number | null;
  decidedByName: string | null;
  traceId: string | null;
}

export interface BookingActor {
  kind: 'bot' | 'manager' | 'operator';
  id: number | null;
  name: string | null;
}

/** The bookings as the sales services need them (src/storage/sales-bookings-store.ts). Every call is tenant-scoped. */
export interface BookingStore {
  transaction<T>(fn: () => T): T;
  /** Inserts a request in state `requested` with its first audit event; returns its id. */
  create(draft: Omit<Booking, 'id' | 'state' | 'decidedAt' | 'decidedByName'>): number;
  load(tenantId: number, bookingId: number): Booking | null;
  /** The contact's bookings, newest first. */
  ofContact(tenantId: number, contactId: number, limit: number): Booking[];
  /** Moves the booking from `from` to `to` only if it is still in `from` (false: someone else decided first). */
  move(tenantId: number, bookingId: number, from: BookingState, to: BookingState, actor: BookingActor, now: number): boolean;
}

export interface ServiceStore {
  list(tenantId: number): Service[];
}

/** The tenant's offers and what the bot did with them (src/storage/sales-offers-store.ts). */
export interface OfferPort {
  list(tenantId: number): Offer[];
  offeredSince(tenantId: number, contactId: number, since: number): { offerId: number; service: string | null }[];
  record(tenantId: number, offerId: number, contactId: number, kind: 'offered' | 'accepted', at: number, bookingId?: number | null): void;
}
