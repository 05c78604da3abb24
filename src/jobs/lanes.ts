/**
 * Lanes: capacity classes of the job runner. Customer-facing work (deliveries of written replies, answers and
 * holding replies) has slots that desk, learning, summaries and maintenance can never take; those get a bounded
 * share, so a burst of cards or a slow summary run cannot fill the runner. Lanes are claimed in this order.
 */
export const LANES = ['reply', 'customer', 'desk', 'background'] as const;
export type Lane = (typeof LANES)[number];

/** Lanes whose work a customer is waiting for. */
export const CUSTOMER_LANES: readonly Lane[] = ['reply', 'customer'];

/** A kind registered without a lane is treated as customer work: it competes for every slot, as before lanes. */
export const DEFAULT_LANE: Lane = 'customer';

export interface LaneShare {
  /** Slots this lane may always fill, whatever the others hold. */
  reserved: number;
  /** Slots this lane may hold at most. */
  max: number;
}

export interface LaneShares {
  lanes: Record<Lane, LaneShare>;
  /** Slots the non-customer lanes together may hold: what the customer lanes' reservations leave. */
  otherMax: number;
}

/**
 * The shares of a runner of `concurrency` slots. Under 4 slots nothing is reserved (there is nothing to split):
 * every lane may use every slot.
 */
export function laneShares(concurrency: number): LaneShares {
  const c = Math.max(1, Math.floor(concurrency));
  if (c < 4) {
    const all = { reserved: 0, max: c };
    return { lanes: { reply: all, customer: all, desk: all, background: all }, otherMax: c };
  }
  const reply = { reserved: Math.max(1, Math.floor(c / 16)), max: c };
  const customer = { reserved: Math.floor(c / 2), max: c };
  const otherMax = c - reply.reserved - customer.reserved;
  const desk = { reserved: 1, max: Math.max(1, Math.min(otherMax, Math.floor(c / 4))) };
  const background = { reserved: 1, max: Math.max(1, Math.min(otherMax, Math.floor(c / 8))) };
  return { lanes: { reply, customer, desk, background }, otherMax };
}

export function isLane(value: string): value is Lane {
  return (LANES as readonly string[]).includes(value);
}
