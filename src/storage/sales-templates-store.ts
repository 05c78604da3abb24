import type { TemplateParam, TemplatePurpose, WhatsappTemplate } from '../sales/templates.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

type Row = Omit<WhatsappTemplate, 'params'> & { params: string };
const toTemplate = (r: Row): WhatsappTemplate => ({ ...r, params: JSON.parse(r.params) as TemplateParam[] });

/** A tenant's registered WhatsApp templates (migration 0018). */
export class SqlTemplateStore {
  constructor(private readonly db: Db) {}

  add(tenantId: number, t: Omit<WhatsappTemplate, 'id'>, now: number): number {
    return Number(prepareCached(this.db, 'INSERT INTO whatsapp_templates (tenant_id, name, language, params, purpose, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(tenantId, t.name, t.language, JSON.stringify(t.params), t.purpose, now).lastInsertRowid);
  }

  list(tenantId: number): WhatsappTemplate[] {
    return (prepareCached(this.db, 'SELECT id, name, language, params, purpose FROM whatsapp_templates WHERE tenant_id = ? ORDER BY name, language').all(tenantId) as Row[]).map(toTemplate);
  }

  remove(tenantId: number, name: string, language: string | null): number {
    return prepareCached(this.db, 'DELETE FROM whatsapp_templates WHERE tenant_id = ? AND name = ? AND (? IS NULL OR language = ?)').run(tenantId, name, language, language).changes;
  }

  /** The template for `purpose`, in the customer's language when one exists, else the first registered. */
  forPurpose(tenantId: number, purpose: TemplatePurpose, language: string): WhatsappTemplate | null {
    const row = prepareCached(this.db, `SELECT id, name, language, params, purpose FROM whatsapp_templates WHERE tenant_id = ? AND purpose = ?
      ORDER BY (language = ? OR language LIKE ? || '\\_%' ESCAPE '\\') DESC, id LIMIT 1`).get(tenantId, purpose, language, language) as Row | undefined;
    return row ? toTemplate(row) : null;
  }
}
