import type { FamilySpec, TransferRow } from '../tenants/transfer/format.js';
import type { Db } from './open-db.js';

/** How a family's fields are stored: secret fields live in `<name>_enc` BLOB columns. */
function columnOf(spec: FamilySpec, field: string): string {
  return spec.fields[field] === 'secret?' ? `${field}_enc` : field;
}

/**
 * SQL of tenant export and import (src/tenants/transfer/). Table and column names come from the format's family
 * specs, never from a file; values are always bound. Reads are scoped by the tenant's id; writes run inside the
 * importer's one transaction.
 */
export class TenantTransferStore {
  private readonly inserts = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {}

  /** Every row of one family for a tenant, fields named as in the file (secrets still sealed with the cell's key). */
  readRows(spec: FamilySpec, tenantId: number, slug: string): Record<string, unknown>[] {
    const select = Object.keys(spec.fields).map((f) => (columnOf(spec, f) === f ? f : `${columnOf(spec, f)} AS ${f}`)).join(', ');
    const where = spec.family === 'tenant' ? 'id = @tenantId'
      // audit_log has no foreign key (its rows outlive a removed tenant, whose id may be reused): match the slug too.
      : spec.family === 'audit' ? 'tenant_id = @tenantId AND tenant_slug = @slug'
        : 'tenant_id = @tenantId';
    return this.db.prepare(`SELECT ${select} FROM ${spec.table} WHERE ${where} ORDER BY ${spec.orderBy}`).all({ tenantId, slug }) as Record<string, unknown>[];
  }

  /** Jobs of the tenant not finished yet, per kind: an export does not carry them. */
  unfinishedJobs(tenantId: number): Record<string, number> {
    const rows = this.db.prepare("SELECT kind, count(*) AS n FROM jobs WHERE tenant_id = ? AND state IN ('pending', 'running') GROUP BY kind").all(tenantId) as { kind: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  slugTaken(slug: string): boolean {
    return this.db.prepare('SELECT 1 FROM tenants WHERE slug = ?').get(slug) !== undefined;
  }

  /** The slug of the tenant holding a channel account id (e.g. a WhatsApp phone number id), if any. */
  accountOwner(channel: string, externalId: string): string | null {
    const row = this.db.prepare('SELECT t.slug FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id WHERE c.channel = ? AND c.external_id = ?')
      .get(channel, externalId) as { slug: string } | undefined;
    return row?.slug ?? null;
  }

  /** The slug of the tenant whose desk already recorded this Telegram message (desk_messages is unique on it). */
  deskMessageOwner(chatId: number, telegramMessageId: number): string | null {
    const row = this.db.prepare('SELECT t.slug FROM desk_messages d JOIN tenants t ON t.id = d.tenant_id WHERE d.chat_id = ? AND d.telegram_message_id = ?')
      .get(chatId, telegramMessageId) as { slug: string } | undefined;
    return row?.slug ?? null;
  }

  maxId(table: string): number {
    return (this.db.prepare(`SELECT coalesce(max(id), 0) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /**
   * Inserts one row of a family with already mapped values (`tenant_id` included when the table has it, `id` only
   * when the caller chooses it). Returns the new id.
   */
  insert(spec: FamilySpec, values: Record<string, unknown>): number {
    const fields = Object.keys(values);
    const key = `${spec.table}:${fields.join(',')}`;
    let statement = this.inserts.get(key);
    if (!statement) {
      const columns = fields.map((f) => (f === 'tenant_id' ? f : columnOf(spec, f)));
      // rowid: the id of every table but sales_settings, whose key is the tenant.
      statement = this.db.prepare(`INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${fields.map((f) => `@${f}`).join(', ')}) RETURNING rowid AS id`);
      this.inserts.set(key, statement);
    }
    return (statement.get(values) as { id: number }).id;
  }

  setConversationHandover(conversationId: number, handoverId: number): void {
    this.db.prepare('UPDATE conversations SET handover_id = ? WHERE id = ?').run(handoverId, conversationId);
  }

  /** KnowledgeStore.writeSource stamps the import time; the source's own times are put back. */
  restoreKnowledgeTimes(sourceId: number, source: TransferRow, chunks: readonly TransferRow[]): void {
    this.db.prepare('UPDATE kb_sources SET created_at = ?, updated_at = ? WHERE id = ?').run(source.created_at, source.updated_at, sourceId);
    const chunk = this.db.prepare('UPDATE kb_chunks SET created_at = ? WHERE source_id = ? AND ordinal = ?');
    for (const c of chunks) chunk.run(c.created_at, sourceId, c.ordinal);
  }

  /** Marks carried audit rows as recorded on another cell. */
  insertAudit(tenantId: number, row: TransferRow, fromCell: string): void {
    this.db.prepare(`INSERT INTO audit_log (at, actor, action, tenant_id, tenant_slug, detail)
                     VALUES (?, ?, ?, ?, ?, json_set(?, '$.recorded_on_cell', ?))`)
      .run(row.at, row.actor, row.action, tenantId, row.tenant_slug, row.detail, fromCell);
  }
}
