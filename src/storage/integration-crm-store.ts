import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export type Provider = 'amocrm' | 'bitrix24';

export interface ConnectionRow {
  id: number;
  tenantId: number;
  tenantSlug: string;
  provider: Provider;
  settings: Record<string, unknown>;
  secretEnc: Buffer;
  status: 'ok' | 'broken';
  statusDetail: string | null;
  statusChangedAt: number | null;
  heldFromEventId: number | null;
  updatedAt: number;
}

export interface LinkRow {
  entityType: 'lead' | 'contact';
  entityId: string;
  externalContactId: string | null;
}

export interface EventForSync {
  id: number;
  tenantId: number;
  tenantSlug: string;
  tenantLocale: 'ru' | 'kk' | 'en';
  contactId: number;
  type: string;
  payload: string;
}

const CONNECTION = `SELECT c.id, c.tenant_id AS tenantId, t.slug AS tenantSlug, c.provider, c.settings, c.secret_enc AS secretEnc, c.status,
  c.status_detail AS statusDetail, c.status_changed_at AS statusChangedAt, c.held_from_event_id AS heldFromEventId, c.updated_at AS updatedAt FROM crm_connections c JOIN tenants t ON t.id = c.tenant_id`;

const row = (r: (Omit<ConnectionRow, 'settings'> & { settings: string }) | undefined): ConnectionRow | null => (r ? { ...r, settings: JSON.parse(r.settings) as Record<string, unknown> } : null);

/** SQL of CRM connections (sealed credentials, broken marks) and of the link of each contact to its CRM record. */
export class SqlCrmStore {
  constructor(private readonly db: Db) {}

  upsertConnection(c: { tenantId: number; provider: Provider; settings: Record<string, unknown>; secretEnc: Buffer; now: number }): void {
    prepareCached(this.db, `INSERT INTO crm_connections (tenant_id, provider, settings, secret_enc, created_at, updated_at) VALUES (@tenantId, @provider, @settings, @secretEnc, @now, @now)
      ON CONFLICT (tenant_id, provider) DO UPDATE SET settings = excluded.settings, secret_enc = excluded.secret_enc, status = 'ok', status_detail = NULL, held_from_event_id = NULL,
        status_changed_at = CASE WHEN crm_connections.status = 'ok' THEN crm_connections.status_changed_at ELSE @now END, updated_at = @now`)
      .run({ ...c, settings: JSON.stringify(c.settings) });
  }

  removeConnection(tenantId: number, provider: Provider): boolean {
    return prepareCached(this.db, 'DELETE FROM crm_connections WHERE tenant_id = ? AND provider = ?').run(tenantId, provider).changes === 1;
  }

  connection(tenantId: number, provider: Provider): ConnectionRow | null {
    return row(prepareCached(this.db, `${CONNECTION} WHERE c.tenant_id = ? AND c.provider = ?`).get(tenantId, provider) as never);
  }

  connections(tenantId: number | null = null): ConnectionRow[] {
    return (prepareCached(this.db, `${CONNECTION} WHERE (? IS NULL OR c.tenant_id = ?) ORDER BY t.slug, c.provider`).all(tenantId, tenantId) as never[]).map((r) => row(r)!);
  }

  /** Marks the connection broken from `eventId` on; true when it was not broken yet (the operator hears of it once). */
  markBroken(tenantId: number, provider: Provider, detail: string, eventId: number, now: number): boolean {
    return prepareCached(this.db, `UPDATE crm_connections SET status = 'broken', status_detail = ?, status_changed_at = ?, held_from_event_id = ?, updated_at = ?
      WHERE tenant_id = ? AND provider = ? AND status <> 'broken'`).run(detail, now, eventId, now, tenantId, provider).changes === 1;
  }

  /** Events of a tenant from `fromEventId` on that a CRM follows, oldest first (to resend after a broken spell). */
  eventsFrom(tenantId: number, fromEventId: number, types: readonly string[]): { id: number; contactId: number }[] {
    return prepareCached(this.db, `SELECT id, contact_id AS contactId FROM integration_events WHERE tenant_id = ? AND id >= ? AND contact_id IS NOT NULL
      AND type IN (SELECT value FROM json_each(?)) ORDER BY id`).all(tenantId, fromEventId, JSON.stringify(types)) as { id: number; contactId: number }[];
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  brokenConnections(): { slug: string; provider: Provider; detail: string | null; since: number | null }[] {
    return prepareCached(this.db, `SELECT t.slug, c.provider, c.status_detail AS detail, c.status_changed_at AS since FROM crm_connections c JOIN tenants t ON t.id = c.tenant_id
      WHERE c.status = 'broken' ORDER BY t.slug, c.provider`).all() as never;
  }

  link(tenantId: number, provider: Provider, contactId: number): LinkRow | null {
    return (prepareCached(this.db, 'SELECT entity_type AS entityType, entity_id AS entityId, external_contact_id AS externalContactId FROM crm_links WHERE tenant_id = ? AND provider = ? AND contact_id = ?')
      .get(tenantId, provider, contactId) as LinkRow | undefined) ?? null;
  }

  saveLink(l: { tenantId: number; provider: Provider; contactId: number; link: LinkRow; now: number }): void {
    prepareCached(this.db, `INSERT INTO crm_links (tenant_id, provider, contact_id, external_contact_id, entity_type, entity_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (provider, contact_id) DO UPDATE SET external_contact_id = excluded.external_contact_id, entity_type = excluded.entity_type, entity_id = excluded.entity_id`)
      .run(l.tenantId, l.provider, l.contactId, l.link.externalContactId, l.link.entityType, l.link.entityId, l.now);
  }

  event(eventId: number): EventForSync | null {
    return (prepareCached(this.db, `SELECT v.id, v.tenant_id AS tenantId, t.slug AS tenantSlug, t.locale AS tenantLocale, v.contact_id AS contactId, v.type, v.payload
      FROM integration_events v JOIN tenants t ON t.id = v.tenant_id WHERE v.id = ?`).get(eventId) as EventForSync | undefined) ?? null;
  }
}
