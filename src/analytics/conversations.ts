import type { HandoverFacts, MessagePoint } from '../storage/analytics-store.js';

/** A customer message more than this long after the contact's previous message (any author) starts a new conversation. */
export const CONVERSATION_GAP_MS = 12 * 3_600_000;
/** Messages and handovers read past the end of a range, so a conversation that starts near its end is seen whole. */
export const LOOKAHEAD_MS = CONVERSATION_GAP_MS;

export type Outcome = 'bot' | 'handed_over' | 'open';

/** One conversation: a contact's exchange from a customer message after a quiet gap until the next such message. */
export interface Conversation {
  contactId: number;
  startedAt: number;
  lastAt: number;
  customerMessages: number;
  /** From the first customer message to the bot's first message after it, or null when the bot did not write. */
  botFirstReplyMs: number | null;
  handovers: HandoverFacts[];
  /** bot: no manager was needed; handed_over: every request of it is resolved; open: one is still waiting or taken. */
  outcome: Outcome;
}

interface Building extends Omit<Conversation, 'outcome'> {
  counted: boolean;
}

/**
 * Splits a tenant's messages into conversations and attaches each handover to the conversation of its contact that
 * was going on when it opened. Only conversations that start in [from, to) are returned (newest first); `points`
 * must cover [from − gap, to + lookahead) and be in time order, `handovers` those opened from `from` on.
 */
export function conversationsOf(points: readonly MessagePoint[], handovers: readonly HandoverFacts[], from: number, to: number): Conversation[] {
  // One entry per contact: when it last wrote or was written to, and its conversations so far (one Map lookup per point).
  const byContact = new Map<number, { last: number; list: Building[] }>();
  for (const [contactId, at, author] of points) {
    let state = byContact.get(contactId);
    if (!state) byContact.set(contactId, (state = { last: Number.NEGATIVE_INFINITY, list: [] }));
    const previous = state.last;
    state.last = at;
    const list = state.list;
    if (author === 0 && at - previous > CONVERSATION_GAP_MS) {
      list.push({ contactId, startedAt: at, lastAt: at, customerMessages: 0, botFirstReplyMs: null, handovers: [], counted: at >= from && at < to });
    }
    const current = list[list.length - 1];
    if (!current) continue; // a bot or manager message before the contact's first customer message in view
    current.lastAt = at;
    if (author === 0) current.customerMessages++;
    else if (author === 1 && current.botFirstReplyMs === null) current.botFirstReplyMs = at - current.startedAt;
  }
  for (const h of handovers) {
    const list = byContact.get(h.contactId)?.list;
    if (!list) continue;
    let owner: Building | undefined;
    for (const c of list) if (c.startedAt <= h.createdAt) owner = c;
    owner?.handovers.push(h);
  }
  const out: Conversation[] = [];
  for (const { list } of byContact.values()) {
    for (const { counted, ...c } of list) {
      if (!counted) continue;
      const outcome: Outcome = c.handovers.length === 0 ? 'bot' : c.handovers.some((h) => h.status !== 'resolved') ? 'open' : 'handed_over';
      out.push({ ...c, outcome });
    }
  }
  return out.sort((a, b) => b.startedAt - a.startedAt || b.contactId - a.contactId);
}
