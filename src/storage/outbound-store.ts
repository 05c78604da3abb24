import type { OutboundStore, OutboundToSend } from '../conversation/ports.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export class SqlOutboundStore implements OutboundStore {
  constructor(private readonly db: Db) {}

  load(messageId: number): OutboundToSend | null {
    const row = prepareCached(this.db, `SELECT m.id, m.tenant_id AS tenantId, m.channel_account_id AS channelAccountId, m.contact_id AS contactId,
        m.handover_id AS handoverId, m.author_kind AS authorKind, c.provider_id AS "to", m.body, m.type, json_extract(m.payload, '$.media') AS media, json_extract(m.payload, '$.template') AS template,
        m.provider_message_id AS providerMessageId, m.delivery_status AS deliveryStatus, m.trace_id AS traceId
      FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ? AND m.direction = 'outbound'`).get(messageId) as (Omit<OutboundToSend, 'media' | 'template'> & { media: string | null; template: string | null }) | undefined;
    return row ? { ...row, media: row.media ? (JSON.parse(row.media) as OutboundToSend['media']) : null, template: row.template ? (JSON.parse(row.template) as OutboundToSend['template']) : null } : null;
  }

  markSent(messageId: number, providerMessageId: string, now: number): void {
    prepareCached(this.db, "UPDATE messages SET provider_message_id = ?, delivery_status = CASE WHEN delivery_status = 'queued' THEN 'sent' ELSE delivery_status END, updated_at = ? WHERE id = ?")
      .run(providerMessageId, now, messageId);
  }

  markFailed(messageId: number, error: string, now: number): void {
    prepareCached(this.db, "UPDATE messages SET delivery_status = 'failed', delivery_error = ?, updated_at = ? WHERE id = ?").run(error, now, messageId);
  }

  markTokenBroken(channelAccountId: number, detail: string, now: number): void {
    prepareCached(this.db, "UPDATE channel_accounts SET status = 'token_broken', status_detail = ?, updated_at = ? WHERE id = ?").run(detail, now, channelAccountId);
  }

  /** The channel of an account (null when it was removed). */
  channelOf(channelAccountId: number): 'whatsapp' | 'instagram' | 'telegram' | null {
    const row = prepareCached(this.db, 'SELECT channel FROM channel_accounts WHERE id = ?').get(channelAccountId) as { channel: 'whatsapp' | 'instagram' | 'telegram' } | undefined;
    return row?.channel ?? null;
  }
}
