import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface IntegrationTargets {
  slug: string;
  endpoints: { id: number; events: string[] }[];
  crm: ('amocrm' | 'bitrix24')[];
}

export interface ContactRow { id: number; phone: string | null; providerId: string; name: string | null; locale: 'ru' | 'kk' | 'en' | null }
export interface MessageRow { id: number; direction: 'inbound' | 'outbound'; authorKind: 'customer' | 'bot' | 'manager' | 'system'; authorName: string | null; type: string; body: string | null; createdAt: number }
export interface HandoverRow {
  id: number; number: number; status: 'waiting' | 'taken' | 'resolved'; reason: string; summary: string | null; createdAt: number;
  assignedToName: string | null; takenAt: number | null; resolvedByName: string | null; resolvedAt: number | null;
}

/** SQL of the integrations outbox: who follows a tenant's events, the rows a payload is built from, events and deliveries. */
export class SqlIntegrationEventStore {
  constructor(private readonly db: Db) {}

  /** Null when the tenant has no endpoint and no CRM: then an event costs this one lookup. */
  targets(tenantId: number): IntegrationTargets | null {
    const endpoints = prepareCached(this.db, 'SELECT id, events FROM webhook_endpoints WHERE tenant_id = ?').all(tenantId) as { id: number; events: string }[];
    const crm = prepareCached(this.db, 'SELECT provider FROM crm_connections WHERE tenant_id = ? ORDER BY provider').all(tenantId) as { provider: 'amocrm' | 'bitrix24' }[];
    if (endpoints.length === 0 && crm.length === 0) return null;
    const slug = (prepareCached(this.db, 'SELECT slug FROM tenants WHERE id = ?').get(tenantId) as { slug: string }).slug;
    return { slug, endpoints: endpoints.map((e) => ({ id: e.id, events: JSON.parse(e.events) as string[] })), crm: crm.map((c) => c.provider) };
  }

  contact(tenantId: number, contactId: number): ContactRow | null {
    return (prepareCached(this.db, 'SELECT id, phone, provider_id AS providerId, display_name AS name, locale FROM contacts WHERE id = ? AND tenant_id = ?')
      .get(contactId, tenantId) as ContactRow | undefined) ?? null;
  }

  message(tenantId: number, messageId: number): MessageRow | null {
    return (prepareCached(this.db, `SELECT id, direction, author_kind AS authorKind, author_name AS authorName, type, body, created_at AS createdAt
      FROM messages WHERE id = ? AND tenant_id = ?`).get(messageId, tenantId) as MessageRow | undefined) ?? null;
  }

  handover(tenantId: number, handoverId: number): HandoverRow | null {
    return (prepareCached(this.db, `SELECT id, number, status, reason, summary, created_at AS createdAt, assigned_to_name AS assignedToName, taken_at AS takenAt,
      resolved_by_name AS resolvedByName, resolved_at AS resolvedAt FROM handovers WHERE id = ? AND tenant_id = ?`).get(handoverId, tenantId) as HandoverRow | undefined) ?? null;
  }

  insertEvent(e: { tenantId: number; contactId: number | null; type: string; now: number }): number {
    return Number(prepareCached(this.db, "INSERT INTO integration_events (tenant_id, contact_id, type, payload, created_at) VALUES (?, ?, ?, '{}', ?)")
      .run(e.tenantId, e.contactId, e.type, e.now).lastInsertRowid);
  }

  setPayload(eventId: number, payload: string): void {
    prepareCached(this.db, 'UPDATE integration_events SET payload = ? WHERE id = ?').run(payload, eventId);
  }

  insertDelivery(d: { tenantId: number; endpointId: number; eventId: number; now: number }): number {
    return Number(prepareCached(this.db, 'INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(d.tenantId, d.endpointId, d.eventId, d.now, d.now).lastInsertRowid);
  }

  /**
   * Deletes events older than `before` with their deliveries, in batches so no transaction is long; an event with a
   * delivery still pending stays (its receiver may come back). Returns how many events went.
   */
  prune(before: number, batch = 1000): number {
    let total = 0;
    for (;;) {
      const { changes } = prepareCached(this.db, `DELETE FROM integration_events WHERE id IN (SELECT v.id FROM integration_events v WHERE v.created_at < ?
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending') LIMIT ?)`).run(before, batch);
      total += changes;
      if (changes < batch) return total;
    }
  }
}
