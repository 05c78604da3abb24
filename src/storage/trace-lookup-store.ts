import type { Db } from './open-db.js';

export interface TracedMessage {
  id: number;
  tenantId: number;
  tenantSlug: string;
  contactId: number;
  /** The customer's channel id (WhatsApp: wa_id, the phone number in digits). */
  contactPhone: string;
  contactName: string | null;
  /** The channel the customer writes on (whatsapp, instagram, telegram); null when its account was removed. */
  channel: string | null;
  direction: 'inbound' | 'outbound';
  authorKind: string;
  type: string;
  body: string | null;
  wamid: string | null;
  deliveryStatus: string;
  deliveryError: string | null;
  outcome: string | null;
  traceId: string;
  handoverId: number | null;
  createdAt: number;
}

export interface TracedJob {
  id: number;
  kind: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lastError: string | null;
  traceId: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  lockedUntil: number | null;
}

export interface TracedHandoverEvent {
  id: number;
  handoverId: number;
  number: number;
  event: string;
  fromState: string;
  toState: string;
  actorKind: string;
  actorName: string | null;
  reason: string | null;
  at: number;
}

const MESSAGE = `SELECT m.id, m.tenant_id AS tenantId, t.slug AS tenantSlug, m.contact_id AS contactId, c.provider_id AS contactPhone,
  c.display_name AS contactName, m.direction, m.author_kind AS authorKind, m.type, m.body, m.provider_message_id AS wamid,
  m.delivery_status AS deliveryStatus, m.delivery_error AS deliveryError, m.outcome, m.trace_id AS traceId,
  m.handover_id AS handoverId, m.created_at AS createdAt, (SELECT a.channel FROM channel_accounts a WHERE a.id = m.channel_account_id) AS channel
  FROM messages m JOIN tenants t ON t.id = m.tenant_id JOIN contacts c ON c.id = m.contact_id`;

/**
 * The reads of `botctl trace`, across tenants on purpose: the operator asks about one message or one customer and
 * every row carries its tenant. Lookups go through the unique (account, provider id) indexes by naming every account.
 */
export class TraceLookupStore {
  constructor(private readonly db: Db) {}

  byWamid(wamid: string): TracedMessage[] {
    return this.db.prepare(`${MESSAGE} WHERE m.channel_account_id IN (SELECT id FROM channel_accounts) AND m.provider_message_id = ? ORDER BY m.id`).all(wamid) as TracedMessage[];
  }

  byId(id: number): TracedMessage | null {
    return (this.db.prepare(`${MESSAGE} WHERE m.id = ?`).get(id) as TracedMessage | undefined) ?? null;
  }

  byTrace(traceIds: readonly string[]): TracedMessage[] {
    if (traceIds.length === 0) return [];
    return this.db.prepare(`${MESSAGE} WHERE m.trace_id IN (SELECT value FROM json_each(?)) ORDER BY m.id`).all(JSON.stringify(traceIds)) as TracedMessage[];
  }

  byIds(ids: readonly number[]): TracedMessage[] {
    if (ids.length === 0) return [];
    return this.db.prepare(`${MESSAGE} WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id`).all(JSON.stringify(ids)) as TracedMessage[];
  }

  /** The holding reply of each handover: its first outbound message, written in the transaction that opened it. */
  holdingRepliesOf(contactId: number, handoverIds: readonly number[]): TracedMessage[] {
    if (handoverIds.length === 0) return [];
    // Through the contact's index (messages_contact): messages.handover_id has none.
    return this.db.prepare(`${MESSAGE} WHERE m.id IN (SELECT (SELECT min(o.id) FROM messages o WHERE o.contact_id = @contactId AND o.handover_id = h.value
      AND o.direction = 'outbound') FROM json_each(@ids) h) ORDER BY m.id`).all({ contactId, ids: JSON.stringify(handoverIds) }) as TracedMessage[];
  }

  /** The customer's latest inbound messages, newest first, in every tenant (or one, by slug); by phone or user id. */
  recentInboundOfPhone(digits: string, limit: number, tenantSlug?: string): TracedMessage[] {
    return this.db.prepare(`${MESSAGE}
      WHERE m.contact_id IN (SELECT c2.id FROM contacts c2 JOIN tenants t2 ON t2.id = c2.tenant_id
        WHERE c2.channel_account_id IN (SELECT id FROM channel_accounts) AND (c2.provider_id = @digits OR c2.phone IN (@digits, '+' || @digits) OR c2.user_id = @digits)
          AND (@tenant IS NULL OR t2.slug = @tenant))
        AND m.direction = 'inbound'
      ORDER BY m.created_at DESC, m.id DESC LIMIT @limit`).all({ digits, tenant: tenantSlug ?? null, limit }) as TracedMessage[];
  }

  /**
   * Jobs of these traces. `jobs.trace_id` has no index: this scans the queue, which pruning keeps to about a week
   * of done jobs; fine for an operator's command, not for a hot path.
   */
  jobsOf(traceIds: readonly string[]): TracedJob[] {
    if (traceIds.length === 0) return [];
    return this.db.prepare(`SELECT id, kind, state, attempts, max_attempts AS maxAttempts, run_at AS runAt, last_error AS lastError, trace_id AS traceId,
      created_at AS createdAt, updated_at AS updatedAt, finished_at AS finishedAt, locked_until AS lockedUntil
      FROM jobs WHERE trace_id IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(traceIds)) as TracedJob[];
  }

  /** Start times of a contact's reply LLM calls in a time range, oldest first (llm_calls_contact index). */
  llmCallStarts(contactId: number, from: number, to: number): number[] {
    return this.db.prepare("SELECT at FROM llm_calls WHERE contact_id = ? AND at BETWEEN ? AND ? AND purpose = 'reply' ORDER BY at, id").pluck().all(contactId, from, to) as number[];
  }

  handoverEvents(handoverIds: readonly number[]): TracedHandoverEvent[] {
    if (handoverIds.length === 0) return [];
    return this.db.prepare(`SELECT e.id, e.handover_id AS handoverId, h.number, e.event, e.from_state AS fromState, e.to_state AS toState,
      e.actor_kind AS actorKind, e.actor_name AS actorName, e.reason, e.at
      FROM handover_events e JOIN handovers h ON h.id = e.handover_id
      WHERE e.handover_id IN (SELECT value FROM json_each(?)) ORDER BY e.at, e.id`).all(JSON.stringify(handoverIds)) as TracedHandoverEvent[];
  }
}
