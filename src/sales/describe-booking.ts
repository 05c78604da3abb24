import type { Booking } from './ports.js';

const STATE_WORDS: Record<Booking['state'], string> = {
  requested: 'waiting for a manager to confirm (not confirmed yet)',
  confirmed: 'confirmed by a manager',
  other_time: 'this time was not available; the manager asked for another time',
  declined: 'declined by a manager',
};

/** A booking as the model reads it when the customer asks about their appointment. */
export function describeBookingForPrompt(b: Booking): string {
  return `${b.service} — ${b.preferredTime} — ${STATE_WORDS[b.state]}`;
}
