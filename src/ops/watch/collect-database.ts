import { errorMessage } from '../../errors.js';
import { openDatabase, type Db } from '../../storage/open-db.js';
import { SqlCrmStore } from '../../storage/integration-crm-store.js';
import { SqlWebhookStore } from '../../storage/integration-webhook-store.js';
import { OpsStore } from '../../storage/ops-store.js';
import type { Facts } from './facts.js';
import type { Limits } from './rule.js';

/** Facts from the cell's own database, on a read-only connection kept open between ticks. */
export class DatabaseFacts {
  private db: Db | null = null;
  private history: { at: number; rows: Facts['inboundHistory'] } | null = null;

  /** @param slowEveryMs the tenant-silence history is heavier and changes over hours: refreshed this often. */
  constructor(private readonly dataDir: string, private readonly limits: Limits, private readonly slowEveryMs: number) {}

  apply(facts: Facts): void {
    const l = this.limits;
    const now = facts.at;
    let ops: OpsStore;
    try {
      // Read-only: watch never writes the cell's database and creates no files in the data folder.
      this.db ??= openDatabase(this.dataDir, { readonly: true });
      ops = new OpsStore(this.db);
    } catch (err) {
      this.close();
      facts.blind.push({ what: 'database', error: errorMessage(err) });
      return;
    }
    const read = <T>(what: string, fn: () => T): T | null => {
      try {
        return fn();
      } catch (err) {
        facts.blind.push({ what, error: errorMessage(err) });
        if ((err as NodeJS.ErrnoException).code !== 'SQLITE_BUSY') this.close(); // reopen next tick (e.g. the file was restored)
        return null;
      }
    };
    facts.queue = read('jobs queue', () => ops.queue(now));
    facts.deadJobs = read('dead jobs', () => ({ ...ops.deadJobsSince(now - l.deadWindowMs), windowMs: l.deadWindowMs }));
    facts.outbound = read('outbound messages', () => ({ ...ops.outboundSince(now - l.rateWindowMs), windowMs: l.rateWindowMs }));
    facts.llm = read('LLM calls', () => ({ ...ops.llmSince(now - l.rateWindowMs), windowMs: l.rateWindowMs }));
    facts.whatsappBroken = read('WhatsApp accounts', () => ops.brokenWhatsappTokens());
    facts.telegramUnreachable = read('Telegram chats', () => ops.unreachableTelegramChats());
    facts.overdueHandovers = read('handovers', () => ops.overdueHandovers(now));
    // Null while migration 0012 (rate_budgets) is missing: read() reports it as blind, rules say nothing.
    facts.saturated = read('rate budgets', () => ops.destinations(100));
    const db = this.db;
    facts.integrations = read('integrations', () => [
      ...new SqlWebhookStore(db).failingEndpoints().map((e) => ({ slug: e.slug, kind: 'webhook' as const, id: e.endpointId, detail: e.detail, since: e.since })),
      ...new SqlCrmStore(db).brokenConnections().map((c) => ({ slug: c.slug, kind: c.provider, id: null, detail: c.detail, since: c.since })),
    ]);
    if (!this.history || now - this.history.at >= this.slowEveryMs) {
      const rows = read('inbound history', () => ops.inboundHistory(l.silentHistoryMs, l.silentMinMessages));
      if (rows) this.history = { at: now, rows };
    }
    facts.inboundHistory = this.history?.rows ?? null;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }
}
