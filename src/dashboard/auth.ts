import { createHash, randomBytes } from 'node:crypto';
import type { DashboardAuthStore, DashboardRole, DashboardSession, DashboardTenant } from '../storage/dashboard-auth-store.js';

export const LINK_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 3_600_000;
/** A person may ask for this many links in LINK_WINDOW_MS; more is refused (a leaked chat, a script). */
export const LINKS_PER_WINDOW = 5;
export const LINK_WINDOW_MS = 10 * 60_000;
/** Refused link openings allowed per client address in FAILURE_WINDOW_MS before it gets 429. */
export const FAILURES_PER_WINDOW = 10;
export const FAILURE_WINDOW_MS = 10 * 60_000;

export interface TelegramUser {
  id: number;
  name: string;
}

export type IssueResult =
  | { ok: true; url: string; expiresAt: number; role: DashboardRole }
  | { ok: false; why: 'no_public_url' | 'managers_off' | 'rate_limited' };

export type RedeemResult = { ok: true; token: string; session: Omit<DashboardSession, 'id'> } | { ok: false; why: 'unknown' | 'used' | 'expired' | 'rate_limited' };

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const actorOf = (user: { id: number; name: string }) => `telegram:${user.id} ${user.name}`;

/**
 * Logins to the owner's dashboard without passwords: the bot hands a member of the managers' group (or the owner)
 * a one-time link; opening it starts a session. Only SHA-256 of links and session tokens is stored, so a copy of
 * the database (a replica) opens nothing. Every issue, login, refusal and logout is in the audit log.
 */
export class DashboardAuth {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly store: DashboardAuthStore, private readonly publicUrl: string | null, private readonly clock: () => number = Date.now) {}

  /** Who is asking decides the role: the tenant's owner, else a manager (when the tenant lets managers in). */
  roleOf(tenant: DashboardTenant, user: TelegramUser): DashboardRole | null {
    if (tenant.ownerChatId === user.id) return 'owner';
    return tenant.managersAllowed ? 'manager' : null;
  }

  /** A one-time link for `user` to `tenant`'s dashboard. Membership must have been checked by the caller. */
  issue(tenant: DashboardTenant, user: TelegramUser): IssueResult {
    if (!this.publicUrl) return { ok: false, why: 'no_public_url' };
    const issued = this.issuePath(tenant, user);
    return issued.ok ? { ok: true, url: `${this.publicUrl.replace(/\/$/, '')}${issued.path}`, expiresAt: issued.expiresAt, role: issued.role } : issued;
  }

  /** The same link as a path on this server (`/dashboard/login/…`), for a page served by the worker itself (the demo). */
  issuePath(tenant: DashboardTenant, user: TelegramUser, options: { rateLimit?: boolean } = {}): { ok: true; path: string; expiresAt: number; role: DashboardRole } | { ok: false; why: 'managers_off' | 'rate_limited' } {
    const now = this.clock();
    const role = this.roleOf(tenant, user);
    if (!role) {
      this.store.audit({ at: now, actor: actorOf(user), action: 'dashboard.link_refused', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { why: 'managers_off' } });
      return { ok: false, why: 'managers_off' };
    }
    if (options.rateLimit !== false && this.store.linksIssuedSince(user.id, now - LINK_WINDOW_MS) >= LINKS_PER_WINDOW) {
      this.store.audit({ at: now, actor: actorOf(user), action: 'dashboard.link_refused', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { why: 'rate_limited' } });
      return { ok: false, why: 'rate_limited' };
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + LINK_TTL_MS;
    this.store.insertLink({ tenantId: tenant.id, tokenHash: hash(token), userId: user.id, userName: user.name, role, now, expiresAt });
    this.store.audit({ at: now, actor: actorOf(user), action: 'dashboard.link', tenantId: tenant.id, tenantSlug: tenant.slug, detail: { role, expiresAt } });
    return { ok: true, path: `/dashboard/login/${token}`, expiresAt, role };
  }

  /** Opens a session with a link's token, once. `client` (the address) is rate-limited on refusals. */
  redeem(token: string, client: string): RedeemResult {
    const now = this.clock();
    if (this.limited(client)) return { ok: false, why: 'rate_limited' };
    const used = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? this.store.useLink(hash(token), now) : { ok: false as const, why: 'unknown' as const };
    if (!used.ok) {
      this.refuse(client, used.why);
      return used;
    }
    return this.openSession({ id: used.userId, name: used.userName }, used.tenantId, used.role, client, 'link');
  }

  /** Whether `client` has used up its refused attempts (then every attempt is refused until the window passes). */
  limited(client: string): boolean {
    const now = this.clock();
    return (this.failures.get(client) ?? []).filter((at) => at > now - FAILURE_WINDOW_MS).length >= FAILURES_PER_WINDOW;
  }

  /** Records a refused login of `client` (audited, counted against its limit). */
  refuse(client: string, why: string): void {
    const now = this.clock();
    this.failures.set(client, [...(this.failures.get(client) ?? []).filter((at) => at > now - FAILURE_WINDOW_MS), now]);
    this.store.audit({ at: now, actor: `web:${client}`, action: 'dashboard.login_refused', tenantId: null, tenantSlug: null, detail: { why } });
  }

  /** Starts a session for a person already identified (a used link, or a checked Login Widget answer). */
  openSession(user: TelegramUser, tenantId: number, role: DashboardRole, client: string, via: 'link' | 'widget'): { ok: true; token: string; session: Omit<DashboardSession, 'id'> } {
    const now = this.clock();
    const used = { tenantId, userId: user.id, userName: user.name, role };
    const sessionToken = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    const tenantSlug = this.store.tenantSlug(used.tenantId) ?? '?';
    this.store.insertSession({ tenantId: used.tenantId, tokenHash: hash(sessionToken), userId: used.userId, userName: used.userName, role: used.role, now, expiresAt });
    this.store.audit({ at: now, actor: actorOf({ id: used.userId, name: used.userName }), action: 'dashboard.login', tenantId: used.tenantId, tenantSlug, detail: { role: used.role, client, via } });
    return { ok: true, token: sessionToken, session: { tenantId: used.tenantId, tenantSlug, userId: used.userId, userName: used.userName, role: used.role, expiresAt } };
  }

  session(token: string | undefined): DashboardSession | null {
    if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    return this.store.session(hash(token), this.clock());
  }

  logout(session: DashboardSession): void {
    const now = this.clock();
    this.store.endSession(session.id, now);
    this.store.audit({ at: now, actor: actorOf({ id: session.userId, name: session.userName }), action: 'dashboard.logout', tenantId: session.tenantId, tenantSlug: session.tenantSlug, detail: {} });
  }
}
