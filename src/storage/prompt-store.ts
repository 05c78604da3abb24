import type { Db } from './open-db.js';

export interface PromptVersion {
  version: number;
  body: string;
  actor: string;
  note: string | null;
  createdAt: number;
  current: boolean;
}

/** Versioned tenant prompts: every `set` adds a version; the tenant row points at the one in force. */
export class PromptStore {
  constructor(private readonly db: Db) {}

  current(tenantId: number): PromptVersion | null {
    return this.toVersion(this.db.prepare(`SELECT p.version, p.body, p.actor, p.note, p.created_at AS createdAt, 1 AS current
      FROM prompts p JOIN tenants t ON t.id = p.tenant_id AND t.prompt_version = p.version WHERE p.tenant_id = ?`).get(tenantId));
  }

  get(tenantId: number, version: number): PromptVersion | null {
    return this.toVersion(this.db.prepare(`SELECT p.version, p.body, p.actor, p.note, p.created_at AS createdAt, (t.prompt_version = p.version) AS current
      FROM prompts p JOIN tenants t ON t.id = p.tenant_id WHERE p.tenant_id = ? AND p.version = ?`).get(tenantId, version));
  }

  history(tenantId: number): PromptVersion[] {
    return (this.db.prepare(`SELECT p.version, p.body, p.actor, p.note, p.created_at AS createdAt, (t.prompt_version = p.version) AS current
      FROM prompts p JOIN tenants t ON t.id = p.tenant_id WHERE p.tenant_id = ? ORDER BY p.version DESC`).all(tenantId) as Record<string, unknown>[])
      .map((r) => this.toVersion(r)!);
  }

  add(tenantId: number, body: string, actor: string, note: string | null, now: number): number {
    const version = (this.db.prepare('SELECT coalesce(max(version), 0) + 1 AS v FROM prompts WHERE tenant_id = ?').get(tenantId) as { v: number }).v;
    this.db.prepare('INSERT INTO prompts (tenant_id, version, body, actor, note, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(tenantId, version, body, actor, note, now);
    this.activate(tenantId, version, now);
    return version;
  }

  activate(tenantId: number, version: number, now: number): void {
    this.db.prepare('UPDATE tenants SET prompt_version = ?, updated_at = ? WHERE id = ?').run(version, now, tenantId);
  }

  private toVersion(row: unknown): PromptVersion | null {
    if (!row) return null;
    const r = row as Omit<PromptVersion, 'current'> & { current: number };
    return { ...r, current: r.current === 1 };
  }
}
