import type { Channel } from './channels.js';
import type { Conversation, Outcome } from './conversations.js';
import { reasonOf, type Reason } from './reasons.js';

/** A conversation as the list, its API and its CSV show it. */
export interface ConversationRow {
  contactId: number;
  startedAt: number;
  lastAt: number;
  customerName: string | null;
  /** The customer's address on their channel: a phone number on WhatsApp, the channel's user id elsewhere. */
  customerPhone: string;
  /** The channel the customer writes on (null only for a contact that is gone). */
  channel: Channel | null;
  customerMessages: number;
  outcome: Outcome;
  managers: string[];
  requests: number[];
  reasons: Reason[];
  botFirstReplyMs: number | null;
}

export interface ConversationFilter {
  /** Part of the customer's name or phone, any case. */
  q?: string | undefined;
  outcome?: string | undefined;
  /** A manager's name: they took or resolved one of its requests. */
  manager?: string | undefined;
  reason?: string | undefined;
}

export function toRows(conversations: readonly Conversation[], contacts: ReadonlyMap<number, { name: string | null; phone: string }>,
  channelOf: (contactId: number) => Channel | undefined): ConversationRow[] {
  return conversations.map((c) => {
    const contact = contacts.get(c.contactId);
    const managers = new Set<string>();
    for (const h of c.handovers) {
      if (h.assignedToName) managers.add(h.assignedToName);
      if (h.resolvedByName && h.resolvedById !== null) managers.add(h.resolvedByName);
    }
    return {
      contactId: c.contactId, startedAt: c.startedAt, lastAt: c.lastAt, customerName: contact?.name ?? null, customerPhone: contact?.phone ?? '', channel: channelOf(c.contactId) ?? null,
      customerMessages: c.customerMessages, outcome: c.outcome, managers: [...managers], requests: c.handovers.map((h) => h.number),
      reasons: [...new Set(c.handovers.map((h) => reasonOf(h.cause)))], botFirstReplyMs: c.botFirstReplyMs,
    };
  });
}

/** The rows that match every given filter (newest first, as given). */
export function searchConversations(rows: readonly ConversationRow[], filter: ConversationFilter): ConversationRow[] {
  const q = filter.q?.trim().toLowerCase().replace(/^\+/, '');
  const manager = filter.manager?.trim().toLowerCase();
  return rows.filter((r) => (!q || (r.customerName ?? '').toLowerCase().includes(q) || r.customerPhone.includes(q))
    && (!filter.outcome || r.outcome === filter.outcome)
    && (!manager || r.managers.some((m) => m.toLowerCase() === manager))
    && (!filter.reason || r.reasons.includes(filter.reason as Reason)));
}
