import type { Locale } from '../tenants/settings.js';
import { renderText, type TextOverrides } from '../texts/texts.js';
import type { Booking } from './ports.js';

/**
 * A booking as the model reads it (and may repeat) when the customer asks about their appointment: a template in
 * the customer's language, whose state words say plainly whether a manager confirmed it.
 */
export function describeBookingForPrompt(b: Booking, locale: Locale, texts: TextOverrides | null): string {
  const state = renderText(locale, `booking_state_${b.state}`, {}, texts);
  return renderText(locale, 'booking_line', { service: b.service, time: b.preferredTime, state }, texts);
}
