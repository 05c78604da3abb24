import { InlineKeyboard } from 'grammy';
import type { BookingDecision } from '../sales/booking-states.js';
import type { BookingCardRow } from '../storage/sales-bookings-store.js';
import type { DeskTenant } from '../storage/desk-store.js';
import type { Locale } from '../tenants/settings.js';
import { deskText, escapeHtml } from './desk-texts.js';

const CODES: Record<BookingDecision, string> = { confirm: 'c', other_time: 'a', decline: 'd' };

/** Callback data of a booking card's buttons: the booking id and the decision; who may press is decided server-side. */
export function bookingCallbackData(decision: BookingDecision, bookingId: number): string {
  return `b:${bookingId}:${CODES[decision]}`;
}

export function parseBookingCallback(data: string): { bookingId: number; decision: BookingDecision } | null {
  const match = /^b:(\d+):([cad])$/.exec(data);
  if (!match) return null;
  const decision = (Object.entries(CODES).find(([, code]) => code === match[2])![0]) as BookingDecision;
  return { bookingId: Number(match[1]), decision };
}

/** The button under a manager's message refused with 131047: send the tenant's re-engagement template. */
export function reengagementCallbackData(messageId: number): string {
  return `rt:${messageId}`;
}

export function parseReengagementCallback(data: string): number | null {
  const match = /^rt:(\d+)$/.exec(data);
  return match ? Number(match[1]) : null;
}

/** Confirm / Offer another time / Decline while the request waits; no buttons once it is decided. */
export function bookingKeyboard(b: Pick<BookingCardRow, 'id' | 'state'>, locale: Locale): InlineKeyboard | undefined {
  if (b.state !== 'requested') return undefined;
  const t = (key: string) => deskText(locale, key);
  return new InlineKeyboard()
    .text(t('btn_booking_confirm'), bookingCallbackData('confirm', b.id))
    .text(t('btn_booking_other_time'), bookingCallbackData('other_time', b.id)).row()
    .text(t('btn_booking_decline'), bookingCallbackData('decline', b.id));
}

/** The booking card in HTML, every customer-given piece escaped. */
export function renderBookingCard(b: BookingCardRow, tenant: DeskTenant): string {
  const locale = tenant.locale as Locale;
  const t = (key: string, vars: Record<string, string | number> = {}) => deskText(locale, key, vars);
  const phone = /^\d+$/.test(b.customerPhone) ? `+${b.customerPhone}` : b.customerPhone;
  const manager = escapeHtml(b.decidedByName ?? '?');
  return [
    `<b>${escapeHtml(t('booking_title', { id: b.id }))}</b> · ${escapeHtml(tenant.name)}`,
    `<b>${t('booking_service')}:</b> ${escapeHtml(b.service)}`,
    `<b>${t('booking_time')}:</b> ${escapeHtml(b.preferredTime)}`,
    `<b>${t('booking_name')}:</b> ${escapeHtml(b.customerName)}`,
    `<b>${t('booking_phone')}:</b> ${escapeHtml(phone)}`,
    t(`booking_state_${b.state}`, { manager }),
  ].join('\n');
}
