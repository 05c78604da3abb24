import type { HeldStore, RefusedMessage } from '../sales/reengagement.js';
import type { TextOverrides } from '../texts/texts.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

const REFUSED = `SELECT m.id, m.contact_id AS contactId, m.channel_account_id AS channelAccountId, m.handover_id AS handoverId, m.author_id AS authorId,
    m.author_name AS authorName, m.body, coalesce(c.locale, t.locale) AS locale, t.name AS business, t.texts, c.display_name AS customerName
  FROM messages m JOIN contacts c ON c.id = m.contact_id JOIN tenants t ON t.id = m.tenant_id`;
type Row = Omit<RefusedMessage, 'texts'> & { texts: string | null };
const toRefused = (r: Row): RefusedMessage => ({ ...r, texts: r.texts ? (JSON.parse(r.texts) as TextOverrides) : null });

/** Manager messages held for the customer's answer after a re-engagement template (migration 0018). */
export class SqlHeldStore implements HeldStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  refusedByWindow(tenantId: number, messageId: number): RefusedMessage | null {
    const row = prepareCached(this.db, `${REFUSED} WHERE m.tenant_id = ? AND m.id = ? AND m.direction = 'outbound' AND m.author_kind = 'manager'
      AND m.delivery_status = 'failed' AND m.delivery_error LIKE '%131047%'`).get(tenantId, messageId) as Row | undefined;
    return row ? toRefused(row) : null;
  }

  isHeld(tenantId: number, messageId: number): 'no' | 'held' | 'released' {
    const row = prepareCached(this.db, 'SELECT released_at AS releasedAt FROM sales_held_messages WHERE tenant_id = ? AND message_id = ?').get(tenantId, messageId) as { releasedAt: number | null } | undefined;
    return !row ? 'no' : row.releasedAt === null ? 'held' : 'released';
  }

  hold(tenantId: number, contactId: number, messageId: number, templateMessageId: number, by: string | null, now: number): boolean {
    return prepareCached(this.db, `INSERT OR IGNORE INTO sales_held_messages (tenant_id, contact_id, message_id, template_message_id, held_by_name, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`).run(tenantId, contactId, messageId, templateMessageId, by, now).changes === 1;
  }

  waiting(tenantId: number, contactId: number): { id: number; message: RefusedMessage }[] {
    const rows = prepareCached(this.db, `SELECT h.id AS heldId, ${REFUSED.slice('SELECT '.length).split(' FROM ')[0]}
      FROM sales_held_messages h JOIN messages m ON m.id = h.message_id JOIN contacts c ON c.id = m.contact_id JOIN tenants t ON t.id = m.tenant_id
      WHERE h.tenant_id = ? AND h.contact_id = ? AND h.released_at IS NULL ORDER BY h.id`).all(tenantId, contactId) as (Row & { heldId: number })[];
    return rows.map(({ heldId, ...row }) => ({ id: heldId, message: toRefused(row) }));
  }

  release(tenantId: number, heldId: number, releasedMessageId: number, now: number): void {
    prepareCached(this.db, 'UPDATE sales_held_messages SET released_at = ?, released_message_id = ? WHERE tenant_id = ? AND id = ? AND released_at IS NULL').run(now, releasedMessageId, tenantId, heldId);
  }

  /** Whether the tenant registered a re-engagement template (the delivery line offers the button only then). */
  canReengage(tenantId: number): boolean {
    return prepareCached(this.db, "SELECT 1 FROM whatsapp_templates WHERE tenant_id = ? AND purpose = 'reengagement' LIMIT 1").get(tenantId) !== undefined;
  }
}
