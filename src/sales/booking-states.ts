/**
 * A booking request's states. The bot only ever creates one in `requested`; every other state is a manager's
 * decision, so nothing is confirmed to a customer before a manager confirmed it.
 */
export type BookingState = 'requested' | 'confirmed' | 'other_time' | 'declined';
export type BookingDecision = 'confirm' | 'other_time' | 'decline';

export const BOOKING_DECISIONS: readonly BookingDecision[] = ['confirm', 'other_time', 'decline'];

const TARGET: Record<BookingDecision, BookingState> = { confirm: 'confirmed', other_time: 'other_time', decline: 'declined' };

export type Transition = { ok: true; to: BookingState } | { ok: false; reason: 'already_decided'; state: BookingState };

/** The one function that moves a booking: only a request still waiting can be decided, and only once. */
export function decideBooking(state: BookingState, decision: BookingDecision): Transition {
  if (state !== 'requested') return { ok: false, reason: 'already_decided', state };
  return { ok: true, to: TARGET[decision] };
}
