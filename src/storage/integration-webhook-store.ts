import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface EndpointRow {
  id: number;
  tenantId: number;
  url: string;
  events: string[];
  status: 'ok' | 'failing';
  statusDetail: string | null;
  statusChangedAt: number | null;
  previousExpiresAt: number | null;
  createdAt: number;
}

export interface EndpointSecrets {
  secretEnc: Buffer;
  previousSecretEnc: Buffer | null;
  previousExpiresAt: number | null;
}

export interface DeliveryToSend {
  id: number;
  tenantId: number;
  tenantSlug: string;
  state: 'pending' | 'delivered' | 'failed';
  eventType: string;
  payload: string;
  endpoint: EndpointRow & EndpointSecrets;
}

export interface DeliveryRow {
  id: number;
  endpointId: number;
  url: string;
  eventType: string;
  eventKey: string;
  contactId: number | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

const ENDPOINT = `SELECT e.id, e.tenant_id AS tenantId, e.url, e.events, e.status, e.status_detail AS statusDetail, e.status_changed_at AS statusChangedAt,
  e.previous_expires_at AS previousExpiresAt, e.created_at AS createdAt FROM webhook_endpoints e`;

type RawEndpoint = Omit<EndpointRow, 'events'> & { events: string };
const endpointRow = (r: RawEndpoint): EndpointRow => ({ ...r, events: JSON.parse(r.events) as string[] });

/** SQL of outbound webhooks: endpoints with their sealed secrets, and the delivery log. Every read is scoped by tenant. */
export class SqlWebhookStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Inserts an endpoint; `seal` gets its id (secrets are bound to it) and returns the sealed secret. */
  addEndpoint(input: { tenantId: number; url: string; events: string[]; now: number }, seal: (endpointId: number) => Buffer): number {
    return this.transaction(() => {
      const id = Number(prepareCached(this.db, "INSERT INTO webhook_endpoints (tenant_id, url, events, secret_enc, created_at, updated_at) VALUES (?, ?, ?, x'', ?, ?)")
        .run(input.tenantId, input.url, JSON.stringify(input.events), input.now, input.now).lastInsertRowid);
      prepareCached(this.db, 'UPDATE webhook_endpoints SET secret_enc = ? WHERE id = ?').run(seal(id), id);
      return id;
    });
  }

  endpoints(tenantId: number): EndpointRow[] {
    return (prepareCached(this.db, `${ENDPOINT} WHERE e.tenant_id = ? ORDER BY e.id`).all(tenantId) as RawEndpoint[]).map(endpointRow);
  }

  endpoint(tenantId: number, endpointId: number): (EndpointRow & EndpointSecrets) | null {
    const row = prepareCached(this.db, `${ENDPOINT.replace('FROM', ', e.secret_enc AS secretEnc, e.previous_secret_enc AS previousSecretEnc FROM')} WHERE e.tenant_id = ? AND e.id = ?`)
      .get(tenantId, endpointId) as (RawEndpoint & EndpointSecrets) | undefined;
    return row ? { ...row, events: JSON.parse(row.events) as string[] } : null;
  }

  removeEndpoint(tenantId: number, endpointId: number): boolean {
    return prepareCached(this.db, 'DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?').run(tenantId, endpointId).changes === 1;
  }

  rotateSecret(tenantId: number, endpointId: number, secretEnc: Buffer, previousSecretEnc: Buffer | null, previousExpiresAt: number | null, now: number): void {
    prepareCached(this.db, 'UPDATE webhook_endpoints SET secret_enc = ?, previous_secret_enc = ?, previous_expires_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?')
      .run(secretEnc, previousSecretEnc, previousExpiresAt, now, tenantId, endpointId);
  }

  forSend(deliveryId: number): DeliveryToSend | null {
    const row = prepareCached(this.db, `SELECT d.id, d.tenant_id AS tenantId, t.slug AS tenantSlug, d.state, v.type AS eventType, v.payload, d.endpoint_id AS endpointId
      FROM webhook_deliveries d JOIN integration_events v ON v.id = d.event_id JOIN tenants t ON t.id = d.tenant_id WHERE d.id = ?`)
      .get(deliveryId) as (Omit<DeliveryToSend, 'endpoint'> & { endpointId: number }) | undefined;
    if (!row) return null;
    const endpoint = this.endpoint(row.tenantId, row.endpointId);
    if (!endpoint) return null;
    const { endpointId: _, ...rest } = row;
    return { ...rest, endpoint };
  }

  /** Records one attempt; `final` ends the delivery (delivered, or failed after the last attempt). */
  recordAttempt(deliveryId: number, a: { status: number | null; error: string | null; final: 'delivered' | 'failed' | null; now: number }): void {
    prepareCached(this.db, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, updated_at = ?,
      state = coalesce(?, state), delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`)
      .run(a.status, a.error, a.now, a.final, a.final, a.now, deliveryId);
  }

  /** Returns true when the status changed (so on-call hears of it once). */
  setEndpointStatus(endpointId: number, status: 'ok' | 'failing', detail: string | null, now: number): boolean {
    return prepareCached(this.db, 'UPDATE webhook_endpoints SET status = ?, status_detail = ?, status_changed_at = ?, updated_at = ? WHERE id = ? AND status <> ?')
      .run(status, detail, now, now, endpointId, status).changes === 1;
  }

  deliveries(tenantId: number, filter: { endpointId?: number; state?: string; limit: number }): DeliveryRow[] {
    return prepareCached(this.db, `SELECT d.id, d.endpoint_id AS endpointId, e.url, v.type AS eventType, json_extract(v.payload, '$.id') AS eventKey, v.contact_id AS contactId,
        d.state, d.attempts, d.last_status AS lastStatus, d.last_error AS lastError, d.created_at AS createdAt, d.updated_at AS updatedAt, d.delivered_at AS deliveredAt
      FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN integration_events v ON v.id = d.event_id
      WHERE d.tenant_id = @tenantId AND (@endpointId IS NULL OR d.endpoint_id = @endpointId) AND (@state IS NULL OR d.state = @state)
      ORDER BY d.id DESC LIMIT @limit`).all({ tenantId, endpointId: filter.endpointId ?? null, state: filter.state ?? null, limit: filter.limit }) as DeliveryRow[];
  }

  /** A delivery's tenant and contact, for redelivery (the id is global; the command names no tenant). */
  deliveryOwner(deliveryId: number): { tenantId: number; tenantSlug: string; endpointId: number; contactId: number | null; state: string } | null {
    return (prepareCached(this.db, `SELECT d.tenant_id AS tenantId, t.slug AS tenantSlug, d.endpoint_id AS endpointId, v.contact_id AS contactId, d.state
      FROM webhook_deliveries d JOIN tenants t ON t.id = d.tenant_id JOIN integration_events v ON v.id = d.event_id WHERE d.id = ?`).get(deliveryId) as never) ?? null;
  }

  reopenDelivery(deliveryId: number, now: number): void {
    prepareCached(this.db, "UPDATE webhook_deliveries SET state = 'pending', updated_at = ? WHERE id = ?").run(now, deliveryId);
  }

  /** Every failing endpoint of the cell, for botctl watch and doctor. */
  failingEndpoints(): { slug: string; endpointId: number; url: string; detail: string | null; since: number | null }[] {
    return prepareCached(this.db, `SELECT t.slug, e.id AS endpointId, e.url, e.status_detail AS detail, e.status_changed_at AS since
      FROM webhook_endpoints e JOIN tenants t ON t.id = e.tenant_id WHERE e.status = 'failing' ORDER BY t.slug, e.id`).all() as never;
  }
}
