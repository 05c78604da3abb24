import type { ServiceStore } from '../sales/ports.js';
import type { Service } from '../sales/services.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/** A tenant's bookable services (migration 0018). */
export class SqlServiceStore implements ServiceStore {
  constructor(private readonly db: Db) {}

  list(tenantId: number): Service[] {
    return prepareCached(this.db, 'SELECT name, duration_min AS durationMin, price FROM sales_services WHERE tenant_id = ? ORDER BY position, id')
      .all(tenantId) as Service[];
  }

  /** Replaces the tenant's whole list in one transaction (a file is the source of truth). */
  replace(tenantId: number, services: readonly Service[], now: number): void {
    this.db.transaction(() => {
      prepareCached(this.db, 'DELETE FROM sales_services WHERE tenant_id = ?').run(tenantId);
      const insert = prepareCached(this.db, 'INSERT INTO sales_services (tenant_id, name, duration_min, price, position, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
      services.forEach((s, i) => insert.run(tenantId, s.name, s.durationMin, s.price, i, now));
    })();
  }
}
