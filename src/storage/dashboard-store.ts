import type { ChannelKind } from './channel-account-store.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface TranscriptMessage {
  id: number;
  at: number;
  author: 'customer' | 'bot' | 'manager' | 'system';
  authorName: string | null;
  type: string;
  body: string | null;
  mimeType: string | null;
  deliveryStatus: string;
  deliveryError: string | null;
  handoverId: number | null;
}

export interface DashboardContact {
  id: number;
  name: string | null;
  /** The address on its channel: the phone number on WhatsApp, the channel's user id elsewhere. */
  phone: string;
  channel: ChannelKind;
}

export interface TimelineEvent {
  handoverId: number;
  number: number;
  reason: string;
  cause: string | null;
  event: 'created' | 'taken' | 'released' | 'reassigned' | 'resolved' | 'reminder';
  actorName: string | null;
  at: number;
}

/** SQL of the dashboard's conversation view. Every read is scoped by the session's tenant: another's ids find nothing. */
export class DashboardStore {
  constructor(private readonly db: Db) {}

  /** The tenant's contact with its channel (the channel of the account it writes on). */
  contact(tenantId: number, contactId: number): DashboardContact | null {
    return (prepareCached(this.db, `SELECT c.id, c.display_name AS name, c.provider_id AS phone, a.channel FROM contacts c
      JOIN channel_accounts a ON a.id = c.channel_account_id AND a.tenant_id = c.tenant_id WHERE c.id = ? AND c.tenant_id = ?`).get(contactId, tenantId) as DashboardContact | undefined) ?? null;
  }

  /** The contact's messages in [from, to), oldest first, at most `limit`. */
  transcript(tenantId: number, contactId: number, from: number, to: number, limit = 500): TranscriptMessage[] {
    return prepareCached(this.db, `SELECT id, created_at AS at, author_kind AS author, author_name AS authorName, type, body,
        json_extract(payload, '$.media.mimeType') AS mimeType, delivery_status AS deliveryStatus, delivery_error AS deliveryError, handover_id AS handoverId
      FROM messages WHERE contact_id = ? AND tenant_id = ? AND created_at >= ? AND created_at < ? ORDER BY id LIMIT ?`)
      .all(contactId, tenantId, from, to, limit) as TranscriptMessage[];
  }

  /** Opened, taken, released, reassigned, resolved and reminders of the contact's requests opened in [from, to). */
  timeline(tenantId: number, contactId: number, from: number, to: number): TimelineEvent[] {
    const events = prepareCached(this.db, `SELECT h.id AS handoverId, h.number, h.reason, h.cause, e.event, e.actor_name AS actorName, e.at
      FROM handovers h JOIN handover_events e ON e.handover_id = h.id
      WHERE h.contact_id = ? AND h.tenant_id = ? AND h.created_at >= ? AND h.created_at < ?`).all(contactId, tenantId, from, to) as TimelineEvent[];
    const reminders = prepareCached(this.db, `SELECT h.id AS handoverId, h.number, h.reason, h.cause, 'reminder' AS event, NULL AS actorName, d.created_at AS at
      FROM handovers h JOIN desk_messages d ON d.handover_id = h.id AND d.kind = 'reminder'
      WHERE h.contact_id = ? AND h.tenant_id = ? AND h.created_at >= ? AND h.created_at < ?`).all(contactId, tenantId, from, to) as TimelineEvent[];
    return [...events, ...reminders].sort((a, b) => a.handoverId - b.handoverId || a.at - b.at);
  }
}
