import type { ChannelKind } from './channel-account-store.js';
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

/** One of a tenant's channel accounts: its id (contacts and messages carry it) and its channel. */
export interface ChannelAccountFacts {
  id: number;
  channel: ChannelKind;
}

export interface OpenRequests {
  count: number;
  oldestAt: number | null;
  oldestNumber: number | null;
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
  // The same on one channel account: the open requests are few, each finds its contact's account by primary key.
  // INDEXED BY: without statistics SQLite would as soon read every request the tenant ever had (handovers_tenant_created).
  // With one min(), SQLite takes the bare column (number) from the row holding the minimum: the oldest request's.
  openRequestsOn: `SELECT count(*) AS count, min(h.created_at) AS oldestAt, h.number AS oldestNumber FROM handovers h INDEXED BY handovers_open
    WHERE h.tenant_id = ? AND h.status <> 'resolved'
      AND (SELECT c.channel_account_id FROM contacts c WHERE c.id = h.contact_id AND c.tenant_id = h.tenant_id) = ?`,
  contact: 'SELECT display_name AS name, provider_id AS phone FROM contacts WHERE id = ? AND tenant_id = ?',
  contactAccount: 'SELECT channel_account_id FROM contacts WHERE id = ? AND tenant_id = ?',
  channelAccounts: 'SELECT id, channel FROM channel_accounts WHERE tenant_id = ?',
} as const;

/**
 * SQL of the owner's numbers. Every read takes the tenant id, and a time range for what grows with time; it runs on
 * an index that starts with the tenant, or on a primary key checked against the tenant
 * (test/unit/storage/analytics-store-plans.test.ts proves it); the arithmetic is in src/analytics/.
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

  /**
   * Requests nobody has resolved yet, whenever they were opened (of customers on the channel account `accountId` when
   * given): how many, and when the oldest was.
   */
  openRequests(tenantId: number, accountId: number | null = null): OpenRequests {
    if (accountId === null) return prepareCached(this.db, ANALYTICS_SQL.openRequests).get(tenantId, tenantId) as OpenRequests;
    return prepareCached(this.db, ANALYTICS_SQL.openRequestsOn).get(tenantId, accountId) as OpenRequests;
  }

  /** The tenant's channel accounts (at most one per channel), in no particular order. */
  channelAccounts(tenantId: number): ChannelAccountFacts[] {
    return prepareCached(this.db, ANALYTICS_SQL.channelAccounts).all(tenantId) as ChannelAccountFacts[];
  }

  /** The channel account each of the tenant's contacts among `ids` writes on; another tenant's ids find nothing. */
  contactAccounts(tenantId: number, ids: Iterable<number>): Map<number, number> {
    const out = new Map<number, number>();
    const stmt = prepareCached(this.db, ANALYTICS_SQL.contactAccount).pluck();
    for (const id of ids) {
      const account = stmt.get(id, tenantId) as number | undefined;
      if (account !== undefined) out.set(id, account);
    }
    return out;
  }

  /** Names and addresses (phone on WhatsApp, the channel's user id elsewhere) of the tenant's contacts among `ids`. */
  contacts(tenantId: number, ids: Iterable<number>): Map<number, { name: string | null; phone: string }> {
    const out = new Map<number, { name: string | null; phone: string }>();
    const stmt = prepareCached(this.db, ANALYTICS_SQL.contact);
    for (const id of ids) {
      const row = stmt.get(id, tenantId) as { name: string | null; phone: string } | undefined;
      if (row) out.set(id, row);
    }
    return out;
  }
}
