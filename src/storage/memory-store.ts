import type { MemoryStore } from '../conversation/summarize-memory.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export class SqlMemoryStore implements MemoryStore {
  constructor(private readonly db: Db) {}

  load(contactId: number, lastMessages: number): ReturnType<MemoryStore['load']> {
    const contact = prepareCached(this.db, `SELECT c.tenant_id AS tenantId, coalesce(c.locale, t.locale) AS locale, json_extract(c.metadata, '$.summary') AS summary
      FROM contacts c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = ?`).get(contactId) as { tenantId: number; locale: string; summary: string | null } | undefined;
    if (!contact) return null;
    const lines = (prepareCached(this.db, `SELECT author_kind AS author, body AS text FROM messages WHERE contact_id = ? AND body IS NOT NULL ORDER BY id DESC LIMIT ?`)
      .all(contactId, lastMessages) as { author: string; text: string }[]).reverse();
    return { ...contact, lines };
  }

  saveSummary(contactId: number, summary: string, at: number): void {
    // A customer who asked to be forgotten is not remembered again from what came before (a summary job queued
    // before the forget); a message written after it starts a new memory.
    prepareCached(this.db, `UPDATE contacts SET metadata = json_set(metadata, '$.summary', ?, '$.summary_at', ?), updated_at = ? WHERE id = ?
      AND coalesce(json_extract(metadata, '$.forgotten_at'), 0) < (SELECT coalesce(max(created_at), 0) FROM messages WHERE contact_id = ? AND direction = 'inbound' AND body IS NOT NULL)`)
      .run(summary, at, at, contactId, contactId);
  }
}
