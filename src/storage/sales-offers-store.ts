import type { Offer } from '../sales/offers.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/** A tenant's offers and what became of them (migration 0018). */
export class SqlOfferStore {
  constructor(private readonly db: Db) {}

  add(tenantId: number, offer: Omit<Offer, 'id'>, now: number): number {
    return Number(prepareCached(this.db, 'INSERT INTO sales_offers (tenant_id, when_text, text, service, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(tenantId, offer.when, offer.text, offer.service, now).lastInsertRowid);
  }

  list(tenantId: number): Offer[] {
    return prepareCached(this.db, 'SELECT id, when_text AS "when", text, service FROM sales_offers WHERE tenant_id = ? AND removed_at IS NULL ORDER BY id').all(tenantId) as Offer[];
  }

  remove(tenantId: number, offerId: number, now: number): boolean {
    return prepareCached(this.db, 'UPDATE sales_offers SET removed_at = ? WHERE tenant_id = ? AND id = ? AND removed_at IS NULL').run(now, tenantId, offerId).changes === 1;
  }

  /** Whether the contact was offered anything since `since` (one offer per conversation). */
  offeredSince(tenantId: number, contactId: number, since: number): { offerId: number; service: string | null }[] {
    return prepareCached(this.db, `SELECT e.offer_id AS offerId, o.service FROM sales_offer_events e JOIN sales_offers o ON o.id = e.offer_id
      WHERE e.tenant_id = ? AND e.contact_id = ? AND e.kind = 'offered' AND e.at >= ?`).all(tenantId, contactId, since) as { offerId: number; service: string | null }[];
  }

  record(tenantId: number, offerId: number, contactId: number, kind: 'offered' | 'accepted', at: number, bookingId: number | null = null): void {
    prepareCached(this.db, 'INSERT INTO sales_offer_events (tenant_id, offer_id, contact_id, kind, at, booking_id) VALUES (?, ?, ?, ?, ?, ?)').run(tenantId, offerId, contactId, kind, at, bookingId);
  }

  /** Offered and accepted counts per offer, for the analytics and `botctl offers list`. */
  counts(tenantId: number): Map<number, { offered: number; accepted: number }> {
    const rows = prepareCached(this.db, `SELECT offer_id AS offerId, sum(kind = 'offered') AS offered, sum(kind = 'accepted') AS accepted
      FROM sales_offer_events WHERE tenant_id = ? GROUP BY offer_id`).all(tenantId) as { offerId: number; offered: number; accepted: number }[];
    return new Map(rows.map((r) => [r.offerId, { offered: r.offered, accepted: r.accepted }]));
  }
}
