import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export type DashboardRole = 'owner' | 'manager';

export interface DashboardSession {
  id: number;
  tenantId: number;
  tenantSlug: string;
  userId: number;
  userName: string;
  role: DashboardRole;
  expiresAt: number;
}

export interface DashboardTenant {
  id: number;
  slug: string;
  name: string;
  locale: string;
  status: 'active' | 'disabled';
  chatId: number | null;
  ownerChatId: number | null;
  managersAllowed: boolean;
}

/** SQL of dashboard logins: one-time links, sessions (only SHA-256 of their tokens) and the login audit. */
export class DashboardAuthStore {
  constructor(private readonly db: Db) {}

  /** Active tenants a Telegram user may belong to: those with a managers group, or whose owner they are. */
  tenantsFor(userId: number): DashboardTenant[] {
    const rows = prepareCached(this.db, `SELECT id, slug, name, locale, status, telegram_chat_id AS chatId, owner_chat_id AS ownerChatId, dashboard_managers AS managersAllowed
      FROM tenants WHERE status = 'active' AND (telegram_chat_id IS NOT NULL OR owner_chat_id = ?) ORDER BY slug`).all(userId) as (Omit<DashboardTenant, 'managersAllowed'> & { managersAllowed: number })[];
    return rows.map((r) => ({ ...r, managersAllowed: r.managersAllowed === 1 }));
  }

  tenantByChat(chatId: number): DashboardTenant | null {
    const r = prepareCached(this.db, `SELECT id, slug, name, locale, status, telegram_chat_id AS chatId, owner_chat_id AS ownerChatId, dashboard_managers AS managersAllowed
      FROM tenants WHERE telegram_chat_id = ?`).get(chatId) as (Omit<DashboardTenant, 'managersAllowed'> & { managersAllowed: number }) | undefined;
    return r ? { ...r, managersAllowed: r.managersAllowed === 1 } : null;
  }

  linksIssuedSince(userId: number, since: number): number {
    return (prepareCached(this.db, 'SELECT count(*) AS n FROM dashboard_links WHERE user_id = ? AND created_at >= ?').get(userId, since) as { n: number }).n;
  }

  insertLink(link: { tenantId: number; tokenHash: string; userId: number; userName: string; role: DashboardRole; now: number; expiresAt: number }): void {
    prepareCached(this.db, 'INSERT INTO dashboard_links (tenant_id, token_hash, user_id, user_name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(link.tenantId, link.tokenHash, link.userId, link.userName, link.role, link.now, link.expiresAt);
  }

  /**
   * Uses a link once: marks it used and returns it, in one statement, so two clicks cannot both succeed. Returns
   * why it was refused otherwise (unknown, used, expired).
   */
  useLink(tokenHash: string, now: number): { ok: true; tenantId: number; userId: number; userName: string; role: DashboardRole } | { ok: false; why: 'unknown' | 'used' | 'expired' } {
    const used = prepareCached(this.db, `UPDATE dashboard_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
      RETURNING tenant_id AS tenantId, user_id AS userId, user_name AS userName, role`).get(now, tokenHash, now) as { tenantId: number; userId: number; userName: string; role: DashboardRole } | undefined;
    if (used) return { ok: true, ...used };
    const row = prepareCached(this.db, 'SELECT used_at AS usedAt FROM dashboard_links WHERE token_hash = ?').get(tokenHash) as { usedAt: number | null } | undefined;
    return { ok: false, why: !row ? 'unknown' : row.usedAt !== null ? 'used' : 'expired' };
  }

  insertSession(s: { tenantId: number; tokenHash: string; userId: number; userName: string; role: DashboardRole; now: number; expiresAt: number }): void {
    prepareCached(this.db, 'INSERT INTO dashboard_sessions (tenant_id, token_hash, user_id, user_name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.tenantId, s.tokenHash, s.userId, s.userName, s.role, s.now, s.expiresAt);
  }

  session(tokenHash: string, now: number): DashboardSession | null {
    return (prepareCached(this.db, `SELECT s.id, s.tenant_id AS tenantId, t.slug AS tenantSlug, s.user_id AS userId, s.user_name AS userName, s.role, s.expires_at AS expiresAt
      FROM dashboard_sessions s JOIN tenants t ON t.id = s.tenant_id
      WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND t.status = 'active'`).get(tokenHash, now) as DashboardSession | undefined) ?? null;
  }

  endSession(sessionId: number, now: number): void {
    prepareCached(this.db, 'UPDATE dashboard_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(now, sessionId);
  }

  /** Forgets links and sessions that ended long ago (the audit log keeps the logins). */
  prune(before: number): number {
    const a = prepareCached(this.db, 'DELETE FROM dashboard_links WHERE expires_at < ?').run(before).changes;
    const b = prepareCached(this.db, 'DELETE FROM dashboard_sessions WHERE expires_at < ?').run(before).changes;
    return a + b;
  }

  audit(entry: { at: number; actor: string; action: string; tenantId: number | null; tenantSlug: string | null; detail: Record<string, unknown> }): void {
    prepareCached(this.db, 'INSERT INTO audit_log (at, actor, action, tenant_id, tenant_slug, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.tenantId, entry.tenantSlug, JSON.stringify(entry.detail));
  }

  tenantSlug(tenantId: number): string | null {
    return (prepareCached(this.db, 'SELECT slug FROM tenants WHERE id = ?').get(tenantId) as { slug: string } | undefined)?.slug ?? null;
  }
}
