import { userInfo } from 'node:os';
import type { Db } from './open-db.js';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  tenantId: number | null;
  tenantSlug: string | null;
  detail: Record<string, unknown>;
}

/** The operator's user name as the audit log records it (sudo keeps the person's name visible). */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return `uid:${process.getuid?.() ?? '?'}`;
    }
  })();
  return env.SUDO_USER && env.SUDO_USER !== user ? `${env.SUDO_USER} (as ${user})` : user;
}

/** Append-only record of operator actions. Details must never hold secrets: callers pass which fields changed. */
export class AuditStore {
  constructor(private readonly db: Db) {}

  record(entry: Omit<AuditEntry, 'id'>): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, tenant_id, tenant_slug, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.tenantId, entry.tenantSlug, JSON.stringify(entry.detail));
  }

  list(filter: { tenantSlug?: string; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT id, at, actor, action, tenant_id AS tenantId, tenant_slug AS tenantSlug, detail FROM audit_log
                WHERE (@slug IS NULL OR tenant_slug = @slug) ORDER BY id DESC LIMIT @limit`)
      .all({ slug: filter.tenantSlug ?? null, limit: filter.limit ?? 100 }) as (Omit<AuditEntry, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
