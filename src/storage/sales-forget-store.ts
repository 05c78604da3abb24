import type { ForgetReport, ForgetStore } from '../sales/forget.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/**
 * Forgetting a customer (migration 0018 tables and the core ones): the memory, name and handle on the contact, the texts of
 * their messages (except replies still waiting to be sent, like the confirmation), names on bookings and summaries
 * on handovers. The rows stay, so the numbers (analytics, audit) still add up; the phone stays as the identity
 * WhatsApp addresses them by.
 */
export class SqlForgetStore implements ForgetStore {
  constructor(private readonly db: Db) {}

  forget(tenantId: number, contactId: number, now: number): ForgetReport | null {
    return this.db.transaction((): ForgetReport | null => {
      const contact = prepareCached(this.db, "SELECT json_extract(metadata, '$.summary') IS NOT NULL AS memory FROM contacts WHERE tenant_id = ? AND id = ?").get(tenantId, contactId) as { memory: number } | undefined;
      if (!contact) return null;
      prepareCached(this.db, "UPDATE contacts SET display_name = NULL, handle = NULL, metadata = json_object('forgotten_at', ?), updated_at = ? WHERE tenant_id = ? AND id = ?").run(now, now, tenantId, contactId);
      const messages = prepareCached(this.db, `UPDATE messages SET body = NULL, payload = '{}', updated_at = ?
        WHERE tenant_id = ? AND contact_id = ? AND (direction = 'inbound' OR delivery_status <> 'queued') AND (body IS NOT NULL OR payload <> '{}')`).run(now, tenantId, contactId).changes;
      const bookings = prepareCached(this.db, "UPDATE sales_bookings SET customer_name = '—' WHERE tenant_id = ? AND contact_id = ? AND customer_name <> '—'").run(tenantId, contactId).changes;
      const handovers = prepareCached(this.db, 'UPDATE handovers SET summary = NULL WHERE tenant_id = ? AND contact_id = ? AND summary IS NOT NULL').run(tenantId, contactId).changes;
      return { memory: contact.memory === 1, messages, bookings, handovers };
    })();
  }

  /**
   * Removes the contact's memory when it is older than the tenant's retention (sales_settings.memory_retention_days,
   * counted from when it was last written); true when it did.
   */
  expireMemory(tenantId: number, contactId: number, now: number): boolean {
    return prepareCached(this.db, `UPDATE contacts SET metadata = json_remove(metadata, '$.summary', '$.summary_at'), updated_at = ?
      WHERE tenant_id = ? AND id = ? AND json_extract(metadata, '$.summary') IS NOT NULL
        AND coalesce(json_extract(metadata, '$.summary_at'), 0) < ? - 86400000 * (SELECT memory_retention_days FROM sales_settings WHERE tenant_id = ? AND memory_retention_days IS NOT NULL)`)
      .run(now, tenantId, contactId, now, tenantId).changes === 1;
  }

  /** When the customer last wrote before `beforeMessageId` (a returning customer's gap), or null. */
  lastSeenBefore(tenantId: number, contactId: number, beforeMessageId: number): number | null {
    return (prepareCached(this.db, "SELECT max(created_at) AS at FROM messages WHERE tenant_id = ? AND contact_id = ? AND direction = 'inbound' AND id < ?")
      .get(tenantId, contactId, beforeMessageId) as { at: number | null }).at;
  }

  /** The contact of a tenant by phone (digits) or user id, for `botctl contact forget`. */
  findContact(tenantId: number, address: string): number | null {
    const key = /^\+?[\d\s()-]+$/.test(address) ? address.replace(/\D/g, '') : address;
    return (prepareCached(this.db, 'SELECT id FROM contacts WHERE tenant_id = ? AND provider_id = ?').get(tenantId, key) as { id: number } | undefined)?.id ?? null;
  }
}
