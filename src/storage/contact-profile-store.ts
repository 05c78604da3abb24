import type { ProfileLookupStore, ProfileOutcome, ProfileTarget, ProfileTiming } from '../channels/instagram/profile-lookup.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/**
 * Profile lookups of Instagram customers (handle and name on `contacts`, the lookup's state in `contacts.metadata`
 * under `profile`: `requested_at`, `checked_at`, `outcome`, `error`). Every statement is scoped by tenant, and a
 * contact is only ever paired with its own channel account: the token that reads a profile is the one of the
 * account the customer wrote to.
 */
export class SqlContactProfileStore implements ProfileLookupStore {
  constructor(private readonly db: Db) {}

  /**
   * Called in the intake transaction of an inbound message: when its contact is an Instagram customer whose
   * profile is due (never checked, or checked longer than `refreshMs` ago, and not requested within `retryMs`),
   * marks it requested and returns what the lookup job needs; null otherwise (one indexed update).
   */
  requestIfDue(tenantId: number, messageId: number, now: number, timing: ProfileTiming): { contactId: number; channelAccountId: number; traceId: string | null } | null {
    const row = prepareCached(this.db, `UPDATE contacts SET metadata = json_set(metadata, '$.profile.requested_at', @now)
      WHERE tenant_id = @tenantId
        AND id = (SELECT contact_id FROM messages WHERE id = @messageId AND tenant_id = @tenantId AND direction = 'inbound')
        AND channel_account_id IN (SELECT id FROM channel_accounts WHERE tenant_id = @tenantId AND channel = 'instagram')
        AND coalesce(json_extract(metadata, '$.profile.requested_at'), 0) <= @now - @retryMs
        AND coalesce(json_extract(metadata, '$.profile.checked_at'), 0) <= @now - @refreshMs
      RETURNING id AS contactId, channel_account_id AS channelAccountId, (SELECT trace_id FROM messages WHERE id = @messageId) AS traceId`)
      .get({ tenantId, messageId, now, retryMs: timing.retryMs, refreshMs: timing.refreshMs });
    return (row as { contactId: number; channelAccountId: number; traceId: string | null } | undefined) ?? null;
  }

  /** The tenant's Instagram contact with its account (null when it is not one, or gone). */
  target(tenantId: number, contactId: number): ProfileTarget | null {
    const row = prepareCached(this.db, `SELECT c.id AS contactId, c.channel_account_id AS channelAccountId, c.provider_id AS igsid,
        a.access_token_enc IS NOT NULL AS hasToken, a.status AS accountStatus
      FROM contacts c JOIN channel_accounts a ON a.id = c.channel_account_id AND a.tenant_id = c.tenant_id
      WHERE c.tenant_id = ? AND c.id = ? AND a.channel = 'instagram'`).get(tenantId, contactId) as
      (Omit<ProfileTarget, 'hasToken'> & { hasToken: number }) | undefined;
    return row ? { ...row, hasToken: row.hasToken === 1 } : null;
  }

  /**
   * Stores what the lookup found: the username as the contact's handle, the name only where the contact has none.
   * A contact forgotten meanwhile (its metadata reset, so no request is pending) is left alone.
   */
  recordFound(tenantId: number, contactId: number, profile: { username: string | null; name: string | null }, now: number): boolean {
    return prepareCached(this.db, `UPDATE contacts SET handle = coalesce(@username, handle), display_name = coalesce(display_name, @name),
        metadata = json_set(metadata, '$.profile.checked_at', @now, '$.profile.outcome', 'found', '$.profile.error', NULL), updated_at = @now
      WHERE tenant_id = @tenantId AND id = @contactId AND json_extract(metadata, '$.profile.requested_at') IS NOT NULL`)
      .run({ tenantId, contactId, username: profile.username, name: profile.name, now }).changes === 1;
  }

  /**
   * Records a lookup that found nothing. `settled` outcomes (Instagram refused this customer's profile) count as
   * checked: asked again only after the refresh period. The others (no token, gave up) are asked again on a message
   * after the retry period.
   */
  recordOutcome(tenantId: number, contactId: number, outcome: ProfileOutcome, error: string | null, now: number): void {
    const settled = outcome === 'unavailable';
    prepareCached(this.db, `UPDATE contacts SET metadata = json_set(metadata, '$.profile.outcome', @outcome, '$.profile.error', @error,
        '$.profile.checked_at', CASE WHEN @settled = 1 THEN @now ELSE json_extract(metadata, '$.profile.checked_at') END), updated_at = @now
      WHERE tenant_id = @tenantId AND id = @contactId AND json_extract(metadata, '$.profile.requested_at') IS NOT NULL`)
      .run({ tenantId, contactId, outcome, error: error?.slice(0, 300) ?? null, settled: settled ? 1 : 0, now });
  }
}
