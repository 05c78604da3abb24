import type { Db } from './open-db.js';

export interface QueueRow { pending: number; running: number; dead: number; done: number; due: number; oldestDueAt: number | null }
export interface DeadJobsRow { count: number; kinds: Record<string, number>; newest: { id: number; kind: string; tenant: string | null; lastError: string | null; at: number } | null }
export interface RateRow { total: number; failed: number; sample: string | null; topTenants: { slug: string; failed: number }[] }
export interface TenantIssueRow { slug: string; status: string; detail: string | null }
export interface OverdueRow { slug: string; waiting: number; oldestNumber: number; oldestCreatedAt: number; limitMs: number }
export interface InboundHistoryRow { slug: string; lastInboundAt: number; messages: number; firstAt: number; longestGapMs: number }
export interface HandoverCountsRow { waiting: number; taken: number; oldestWaitingAt: number | null }
export interface LastInboundRow { slug: string; name: string; lastInboundAt: number }
export interface LaneRow { lane: string; due: number; oldestDueAt: number | null }
/** A rate-limited destination with jobs waiting for its budget; `tenant` is the slug it belongs to, when known. */
export interface DestinationRow { key: string; waiting: number; waitingSince: number; tenant: string | null }

export const LANES_SQL = "SELECT coalesce(lane, 'unassigned') AS lane, count(*) AS due, min(run_at) AS oldestDueAt FROM jobs WHERE state = 'pending' AND run_at <= ? GROUP BY lane";
// rate_budgets_waiting (waiting_since) WHERE waiting > 0: only the destinations that have a backlog.
export const DESTINATIONS_SQL = `SELECT b.key, b.waiting, b.waiting_since AS waitingSince, coalesce(tc.slug, tn.slug) AS tenant FROM rate_budgets b
  LEFT JOIN tenants tc ON b.key LIKE 'tg:group:%' AND tc.telegram_chat_id = CAST(substr(b.key, 10) AS INTEGER)
  LEFT JOIN tenants tn ON b.key LIKE 'wa:%' AND tn.id = CAST(substr(b.key, instr(substr(b.key, 4), ':') + 4) AS INTEGER)
  WHERE b.waiting > 0 ORDER BY b.waiting_since LIMIT ?`;

/**
 * The read-only questions watch, status and doctor ask of a cell. Every query is cell-wide by design (an operator's
 * view), aggregates in SQL, and uses an index; tenant lists come back bounded or already filtered to the problems.
 */
export class OpsStore {
  constructor(private readonly db: Db) {}

  queue(now: number): QueueRow {
    const counts = this.db.prepare("SELECT state, count(*) AS n FROM jobs GROUP BY state").all() as { state: string; n: number }[];
    const by = (s: string) => counts.find((c) => c.state === s)?.n ?? 0;
    // jobs_due (run_at, id) WHERE state = 'pending': the oldest due job is the first index entry.
    const due = this.db.prepare("SELECT min(run_at) AS oldest, count(*) AS n FROM jobs WHERE state = 'pending' AND run_at <= ?").get(now) as { oldest: number | null; n: number };
    return { pending: by('pending'), running: by('running'), dead: by('dead'), done: by('done'), due: due.n, oldestDueAt: due.oldest };
  }

  /** Due jobs per lane (src/jobs/lanes.ts) and the oldest of each. */
  lanes(now: number): LaneRow[] {
    return this.db.prepare(LANES_SQL).all(now) as LaneRow[];
  }

  /** Destinations (a Telegram group, a WhatsApp number) whose rate budget has jobs waiting, longest-waiting first. */
  destinations(limit: number): DestinationRow[] {
    return this.db.prepare(DESTINATIONS_SQL).all(limit) as DestinationRow[];
  }

  deadJobsSince(since: number): DeadJobsRow {
    const kinds = this.db.prepare("SELECT kind, count(*) AS n FROM jobs WHERE state = 'dead' AND finished_at >= ? GROUP BY kind ORDER BY n DESC").all(since) as { kind: string; n: number }[];
    const newest = this.db.prepare(`SELECT j.id, j.kind, t.slug AS tenant, j.last_error AS lastError, j.finished_at AS at FROM jobs j
      LEFT JOIN tenants t ON t.id = j.tenant_id WHERE j.state = 'dead' AND j.finished_at >= ? ORDER BY j.finished_at DESC LIMIT 1`).get(since) as DeadJobsRow['newest'] | undefined;
    return { count: kinds.reduce((n, k) => n + k.n, 0), kinds: Object.fromEntries(kinds.map((k) => [k.kind, k.n])), newest: newest ?? null };
  }

  /** Outbound messages created since `since` and how many of them failed (status webhooks or permanent send errors). */
  outboundSince(since: number): RateRow {
    // `tenant_id IN (SELECT id …)` lets SQLite walk messages_tenant_created (tenant_id, created_at) per tenant
    // instead of scanning every message of the cell.
    const scope = "tenant_id IN (SELECT id FROM tenants) AND direction = 'outbound' AND created_at >= ?";
    const totals = this.db.prepare(`SELECT count(*) AS total, coalesce(sum(delivery_status = 'failed'), 0) AS failed FROM messages WHERE ${scope}`).get(since) as { total: number; failed: number };
    const top = this.db.prepare(`SELECT t.slug, count(*) AS failed FROM messages m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.tenant_id IN (SELECT id FROM tenants) AND m.direction = 'outbound' AND m.created_at >= ? AND m.delivery_status = 'failed'
      GROUP BY m.tenant_id ORDER BY failed DESC LIMIT 5`).all(since) as { slug: string; failed: number }[];
    const sample = this.db.prepare(`SELECT delivery_error AS e FROM messages WHERE ${scope} AND delivery_status = 'failed' AND delivery_error IS NOT NULL ORDER BY created_at DESC LIMIT 1`).get(since) as { e: string } | undefined;
    return { ...totals, sample: sample?.e ?? null, topTenants: top };
  }

  llmSince(since: number): RateRow {
    const totals = this.db.prepare("SELECT count(*) AS total, coalesce(sum(outcome <> 'ok'), 0) AS failed FROM llm_calls WHERE at >= ?").get(since) as { total: number; failed: number };
    const sample = this.db.prepare("SELECT outcome || coalesce(': ' || error, '') AS e FROM llm_calls WHERE at >= ? AND outcome <> 'ok' ORDER BY at DESC LIMIT 1").get(since) as { e: string } | undefined;
    return { ...totals, sample: sample?.e ?? null, topTenants: [] };
  }

  brokenWhatsappTokens(): TenantIssueRow[] {
    return this.db.prepare(`SELECT t.slug, c.status, c.status_detail AS detail FROM channel_accounts c JOIN tenants t ON t.id = c.tenant_id
      WHERE c.status = 'token_broken' AND t.status = 'active' ORDER BY t.slug`).all() as TenantIssueRow[];
  }

  /** Tenants whose managers chat the bot cannot reach; null while migration 0006 (tenants.telegram_status) is not applied. */
  unreachableTelegramChats(): TenantIssueRow[] | null {
    if (!this.hasColumn('tenants', 'telegram_status')) return null;
    return this.db.prepare(`SELECT slug, telegram_status AS status, telegram_status_detail AS detail FROM tenants
      WHERE status = 'active' AND telegram_status IN ('removed', 'forbidden') ORDER BY slug`).all() as TenantIssueRow[];
  }

  /** Per tenant, handovers nobody took within remind_after × (remind_max + 1): every reminder went unanswered. */
  overdueHandovers(now: number): OverdueRow[] {
    return this.db.prepare(`SELECT t.slug, count(*) AS waiting, min(h.created_at) AS oldestCreatedAt,
        (SELECT h2.number FROM handovers h2 WHERE h2.tenant_id = t.id AND h2.status = 'waiting' ORDER BY h2.created_at LIMIT 1) AS oldestNumber,
        t.remind_after_ms * (t.remind_max + 1) AS limitMs
      FROM handovers h JOIN tenants t ON t.id = h.tenant_id
      WHERE h.status <> 'resolved' AND h.status = 'waiting' AND t.status = 'active'
        AND h.created_at < ? - t.remind_after_ms * (t.remind_max + 1)
      GROUP BY t.id ORDER BY oldestCreatedAt`).all(now) as OverdueRow[];
  }

  /**
   * For each active tenant with at least `minMessages` inbound messages in the `historyMs` before its last one:
   * when that was, and its longest silence inside that history (the window ends at the last message, so a tenant
   * silent for a month still has its history to compare with).
   */
  inboundHistory(historyMs: number, minMessages: number): InboundHistoryRow[] {
    return this.db.prepare(`WITH last AS (
        SELECT t.id, t.slug, (SELECT max(m.created_at) FROM messages m WHERE m.tenant_id = t.id AND m.direction = 'inbound') AS lastAt
        FROM tenants t WHERE t.status = 'active'),
      hist AS (
        SELECT m.tenant_id, m.created_at, m.created_at - lag(m.created_at) OVER (PARTITION BY m.tenant_id ORDER BY m.created_at) AS gap
        FROM last l JOIN messages m ON m.tenant_id = l.id AND m.created_at >= l.lastAt - ? AND m.created_at <= l.lastAt
        WHERE l.lastAt IS NOT NULL AND m.direction = 'inbound')
      SELECT l.slug, l.lastAt AS lastInboundAt, count(*) AS messages, min(h.created_at) AS firstAt, coalesce(max(h.gap), 0) AS longestGapMs
      FROM hist h JOIN last l ON l.id = h.tenant_id GROUP BY h.tenant_id HAVING count(*) >= ?`).all(historyMs, minMessages) as InboundHistoryRow[];
  }

  handoverCounts(): HandoverCountsRow {
    const row = this.db.prepare(`SELECT coalesce(sum(status = 'waiting'), 0) AS waiting, coalesce(sum(status = 'taken'), 0) AS taken,
      min(CASE WHEN status = 'waiting' THEN created_at END) AS oldestWaitingAt FROM handovers WHERE status <> 'resolved'`).get() as HandoverCountsRow;
    return row;
  }

  /** The `limit` tenants heard from most recently, and how many active tenants never got an inbound message. */
  lastInbound(limit: number): { recent: LastInboundRow[]; neverHeard: number; tenants: number; active: number } {
    const rows = this.db.prepare(`SELECT slug, name, status, (SELECT max(m.created_at) FROM messages m WHERE m.tenant_id = t.id AND m.direction = 'inbound') AS lastInboundAt
      FROM tenants t`).all() as (LastInboundRow & { status: string; lastInboundAt: number | null })[];
    const heard = rows.filter((r): r is typeof r & { lastInboundAt: number } => r.lastInboundAt !== null).sort((a, b) => b.lastInboundAt - a.lastInboundAt);
    return {
      recent: heard.slice(0, limit).map(({ slug, name, lastInboundAt }) => ({ slug, name, lastInboundAt })),
      neverHeard: rows.filter((r) => r.lastInboundAt === null && r.status === 'active').length,
      tenants: rows.length,
      active: rows.filter((r) => r.status === 'active').length,
    };
  }

  /** Active tenants with a managers chat, for doctor's membership checks. */
  tenantChats(): { slug: string; chatId: number }[] {
    return this.db.prepare("SELECT slug, telegram_chat_id AS chatId FROM tenants WHERE status = 'active' AND telegram_chat_id IS NOT NULL ORDER BY slug").all() as { slug: string; chatId: number }[];
  }

  /** Active tenants' WhatsApp numbers with their sealed tokens, for doctor's token checks. */
  tenantWhatsappAccounts(): { slug: string; phoneNumberId: string; tokenEnc: Buffer | null }[] {
    return this.db.prepare(`SELECT t.slug, c.external_id AS phoneNumberId, c.access_token_enc AS tokenEnc FROM tenants t
      JOIN channel_accounts c ON c.tenant_id = t.id AND c.channel = 'whatsapp' WHERE t.status = 'active' ORDER BY t.slug`).all() as { slug: string; phoneNumberId: string; tokenEnc: Buffer | null }[];
  }

  private hasColumn(table: string, column: string): boolean {
    return (this.db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(table, column)) !== undefined;
  }
}
