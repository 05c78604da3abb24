import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

/** A waiting request as a digest line shows it. */
export interface DigestLine {
  handoverId: number;
  number: number;
  customerName: string | null;
  customerPhone: string;
  /** The customer's last words before the handover. */
  firstWords: string | null;
  createdAt: number;
  status: 'waiting' | 'taken' | 'resolved';
  assignedToName: string | null;
  /** Its own card is posted. */
  carded: boolean;
}

export interface DigestPage {
  id: number;
  tenantId: number;
  chatId: number | null;
  telegramMessageId: number | null;
  threadId: number | null;
  dirty: boolean;
}

const LINE = `SELECT h.id AS handoverId, h.number, c.display_name AS customerName, c.provider_id AS customerPhone, h.created_at AS createdAt,
  h.status, h.assigned_to_name AS assignedToName, h.telegram_message_id IS NOT NULL AS carded,
  (SELECT m.body FROM messages m WHERE m.contact_id = h.contact_id AND m.direction = 'inbound' AND m.created_at <= h.created_at
    ORDER BY m.id DESC LIMIT 1) AS firstWords
  FROM handovers h JOIN contacts c ON c.id = h.contact_id`;

const PAGE = `SELECT id, tenant_id AS tenantId, chat_id AS chatId, telegram_message_id AS telegramMessageId, thread_id AS threadId, dirty
  FROM desk_digest_pages`;

type LineRow = Omit<DigestLine, 'carded'> & { carded: number };
type PageRow = Omit<DigestPage, 'dirty'> & { dirty: number };
const line = (r: LineRow): DigestLine => ({ ...r, carded: r.carded === 1 });
const page = (r: PageRow): DigestPage => ({ ...r, dirty: r.dirty === 1 });

/** SQL of the desk's digest of a group (src/desk/jobs/digest.ts). */
export class DeskDigestStore {
  constructor(private readonly db: Db) {}

  /** Requests of a tenant still waiting for a manager whose card is not posted yet, oldest first. */
  uncarded(tenantId: number): DigestLine[] {
    return (prepareCached(this.db, `${LINE} WHERE h.tenant_id = ? AND h.status = 'waiting' AND h.telegram_message_id IS NULL ORDER BY h.created_at, h.id`)
      .all(tenantId) as LineRow[]).map(line);
  }

  /** Those of `uncarded` that no digest page lists yet. */
  unlisted(tenantId: number): DigestLine[] {
    return (prepareCached(this.db, `${LINE} WHERE h.tenant_id = ? AND h.status = 'waiting' AND h.telegram_message_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM desk_digest_lines l WHERE l.handover_id = h.id) ORDER BY h.created_at, h.id`).all(tenantId) as LineRow[]).map(line);
  }

  /** The lines of one page, in the order they were listed. */
  lines(pageId: number): DigestLine[] {
    return (prepareCached(this.db, `${LINE} JOIN desk_digest_lines l ON l.handover_id = h.id WHERE l.page_id = ? ORDER BY l.listed_at, h.id`)
      .all(pageId) as LineRow[]).map(line);
  }

  /** The newest page of a tenant created after `since`, and how many lines it holds. */
  lastPage(tenantId: number, since: number): { page: DigestPage; count: number } | null {
    const row = prepareCached(this.db, `${PAGE} WHERE tenant_id = ? AND created_at > ? ORDER BY id DESC LIMIT 1`).get(tenantId, since) as PageRow | undefined;
    if (!row) return null;
    const count = prepareCached(this.db, 'SELECT count(*) FROM desk_digest_lines WHERE page_id = ?').pluck().get(row.id) as number;
    return { page: page(row), count };
  }

  newPage(tenantId: number, now: number): number {
    return Number(prepareCached(this.db, 'INSERT INTO desk_digest_pages (tenant_id, created_at) VALUES (?, ?)').run(tenantId, now).lastInsertRowid);
  }

  list(handoverId: number, pageId: number, now: number): void {
    prepareCached(this.db, 'INSERT OR IGNORE INTO desk_digest_lines (handover_id, page_id, listed_at) VALUES (?, ?, ?)').run(handoverId, pageId, now);
    this.markDirty(pageId);
  }

  markDirty(pageId: number): void {
    prepareCached(this.db, 'UPDATE desk_digest_pages SET dirty = 1 WHERE id = ?').run(pageId);
  }

  /** The oldest page of a tenant that changed since it was drawn. */
  dirtyPage(tenantId: number): DigestPage | null {
    const row = prepareCached(this.db, `${PAGE} WHERE tenant_id = ? AND dirty = 1 ORDER BY id LIMIT 1`).get(tenantId) as PageRow | undefined;
    return row ? page(row) : null;
  }

  /** Records where a page was posted (first draw) and that it shows its lines as they are now. */
  drawn(pageId: number, at: { chatId: number; telegramMessageId: number; threadId: number | null } | null, now: number): void {
    if (at) {
      prepareCached(this.db, 'UPDATE desk_digest_pages SET chat_id = ?, telegram_message_id = ?, thread_id = ?, dirty = 0, drawn_at = ? WHERE id = ?')
        .run(at.chatId, at.telegramMessageId, at.threadId, now, pageId);
    } else {
      prepareCached(this.db, 'UPDATE desk_digest_pages SET dirty = 0, drawn_at = ? WHERE id = ?').run(now, pageId);
    }
  }

  /** The page's number among the tenant's pages (1 for the first). */
  pageIndex(tenantId: number, pageId: number): number {
    return prepareCached(this.db, 'SELECT count(*) FROM desk_digest_pages WHERE tenant_id = ? AND id <= ?').pluck().get(tenantId, pageId) as number;
  }

  /** The page listing a handover, if any. */
  pageOf(handoverId: number): number | null {
    return (prepareCached(this.db, 'SELECT page_id FROM desk_digest_lines WHERE handover_id = ?').pluck().get(handoverId) as number | undefined) ?? null;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
