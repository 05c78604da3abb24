import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface DigestTenant {
  id: number;
  slug: string;
  name: string;
  locale: string;
  timezone: string;
  businessHours: string | null;
  ownerChatId: number;
  digest: 'daily' | 'weekly';
  digestSentFor: string | null;
}

/** SQL of the owner's digest: who wants one, and the local day the last one was sent for. */
export class DigestStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  subscribers(): DigestTenant[] {
    return prepareCached(this.db, `SELECT id, slug, name, locale, timezone, business_hours AS businessHours, owner_chat_id AS ownerChatId, digest,
      digest_sent_for AS digestSentFor FROM tenants WHERE status = 'active' AND digest <> 'off' AND owner_chat_id IS NOT NULL ORDER BY id`).all() as DigestTenant[];
  }

  /** Records the day; false when another run recorded it first (then that run sends, this one does not). */
  markSent(tenantId: number, day: string, previous: string | null): boolean {
    return prepareCached(this.db, 'UPDATE tenants SET digest_sent_for = ? WHERE id = ? AND digest_sent_for IS ?').run(day, tenantId, previous).changes === 1;
  }
}
