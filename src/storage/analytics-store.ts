import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/** Who wrote a message, as the numbers need it: 0 customer, 1 bot, 2 manager (system messages are not read). */
export const AUTHOR = { customer: 0, bot: 1, manager: 2 } as const;

/** One message as the numbers read it: [contact id, created at, author code]. Arrays, not objects: a range can hold 100,000. */
export type MessagePoint = [contactId: number, at: number, author: 0 | 1 | 2];

export interface HandoverFacts {
  id: number;
  contactId: number;
  number: number;
  status: 'waiting' | 'taken' | 'resolved';
  cause: string | null;
  question: string | null;
  createdAt: number;
  assignedToId: number | null;
  assignedToName: string | null;
  takenAt: number | null;
  firstResponseAt: number | null;
  resolvedById: number | null;
  resolvedByName: string | null;
  resolvedAt: number | null;
  /** Reminders the desk posted for it after it was taken (the assignee had not answered). */
  remindersAfterTake: number;
  /** Reminders the desk posted for it while nobody had taken it. */
  remindersUntaken: number;
}

export interface AnalyticsTenant {
  id: number;
  slug: string;
  name: string;
  locale: string;
  timezone: string;
  businessHours: string | null;
}

const HANDOVER = `SELECT h.id, h.contact_id AS contactId, h.number, h.status, h.cause, h.question, h.created_at AS createdAt,
  h.assigned_to_id AS assignedToId, h.assigned_to_name AS assignedToName, h.taken_at AS takenAt, h.first_response_at AS firstResponseAt,
  h.resolved_by_id AS resolvedById, h.resolved_by_name AS resolvedByName, h.resolved_at AS resolvedAt,
  (SELECT count(*) FROM desk_messages d WHERE d.handover_id = h.id AND d.kind = 'reminder' AND h.taken_at IS NOT NULL AND d.created_at >= h.taken_at) AS remindersAfterTake,
  (SELECT count(*) FROM desk_messages d WHERE d.handover_id = h.id AND d.kind = 'reminder' AND (h.taken_at IS NULL OR d.created_at < h.taken_at)) AS remindersUntaken
  FROM handovers h`;

/** Every statement the overview runs, by name (test/unit/storage/analytics-store-plans.test.ts explains each). */
export const ANALYTICS_SQL = {
  messagePoints: `SELECT contact_id, created_at, CASE author_kind WHEN 'customer' THEN 0 WHEN 'bot' THEN 1 ELSE 2 END
    FROM messages WHERE tenant_id = ? AND created_at >= ? AND created_at < ? AND author_kind <> 'system' ORDER BY created_at`,
  handovers: `${HANDOVER} WHERE h.tenant_id = ? AND h.created_at >= ? AND h.created_at < ? ORDER BY h.created_at`,
  knowledgeGaps: `${HANDOVER} WHERE h.tenant_id = ? AND h.cause = 'no_knowledge' AND h.created_at >= ? AND h.created_at < ?
    AND h.question IS NOT NULL ORDER BY h.created_at DESC`,
  openRequests: `SELECT count(*) AS count, min(created_at) AS oldestAt,
    (SELECT number FROM handovers WHERE tenant_id = ? AND status <> 'resolved' ORDER BY created_at LIMIT 1) AS oldestNumber
    FROM handovers WHERE tenant_id = ? AND status <> 'resolved'`,
  contact: 'SELECT display_name AS name, provider_id AS phone FROM contacts WHERE id = ? AND tenant_id = ?',
} as const;

/**
 * SQL of the owner's numbers. Every read takes the tenant id and a time range, and runs on an index that starts with
 * the tenant (test/unit/storage/analytics-store-plan.test.ts proves it); the arithmetic is in src/analytics/.
 */
export class AnalyticsStore {
  constructor(private readonly db: Db) {}

  tenant(tenantId: number): AnalyticsTenant | null {
    return (prepareCached(this.db, 'SELECT id, slug, name, locale, timezone, business_hours AS businessHours FROM tenants WHERE id = ?').get(tenantId) as AnalyticsTenant | undefined) ?? null;
  }

  tenantBySlug(slug: string): AnalyticsTenant | null {
    return (prepareCached(this.db, 'SELECT id, slug, name, locale, timezone, business_hours AS businessHours FROM tenants WHERE slug = ?').get(slug) as AnalyticsTenant | undefined) ?? null;
  }

  /** Customer, bot and manager messages of the tenant created in [from, to), oldest first. */
  messagePoints(tenantId: number, from: number, to: number): MessagePoint[] {
    const rows = prepareCached(this.db, ANALYTICS_SQL.messagePoints).raw(true).all(tenantId, from, to);
    return rows as MessagePoint[];
  }

  /** Handovers of the tenant opened in [from, to), oldest first. */
  handovers(tenantId: number, from: number, to: number): HandoverFacts[] {
    return prepareCached(this.db, ANALYTICS_SQL.handovers).all(tenantId, from, to) as HandoverFacts[];
  }

  /** Handovers of the tenant opened in [from, to) for lack of knowledge, with the customer's question, newest first. */
  knowledgeGaps(tenantId: number, from: number, to: number): HandoverFacts[] {
    return prepareCached(this.db, ANALYTICS_SQL.knowledgeGaps).all(tenantId, from, to) as HandoverFacts[];
  }

  /** Requests nobody has resolved yet, whenever they were opened: how many, and when the oldest was. */
  openRequests(tenantId: number): { count: number; oldestAt: number | null; oldestNumber: number | null } {
    return prepareCached(this.db, ANALYTICS_SQL.openRequests).get(tenantId, tenantId) as { count: number; oldestAt: number | null; oldestNumber: number | null };
  }

  /** Names and phones of the tenant's contacts among `ids`. */
  contacts(tenantId: number, ids: readonly number[]): Map<number, { name: string | null; phone: string }> {
    const out = new Map<number, { name: string | null; phone: string }>();
    const stmt = prepareCached(this.db, ANALYTICS_SQL.contact);
    for (const id of ids) {
      const row = stmt.get(id, tenantId) as { name: string | null; phone: string } | undefined;
      if (row) out.set(id, row);
    }
    return out;
  }
}
