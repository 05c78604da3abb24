import { createHash } from 'node:crypto';
import { faqChunk } from '../knowledge/chunk.js';
import type { Db } from './open-db.js';
import { KnowledgeStore } from './knowledge-store.js';
import { prepareCached } from './prepare-cached.js';

export type LearningMode = 'direct' | 'approve' | 'off';
export type LearnedStatus = 'drafting' | 'draft' | 'refused' | 'editing' | 'pending' | 'proposed' | 'live' | 'discarded' | 'rejected' | 'removed' | 'replaced';
export type LearnedOrigin = 'taught' | 'proposed' | 'imported';

export interface LearningSettings {
  mode: LearningMode;
  /** Set explicitly with --learning-approver; null = the owner. */
  approverId: number | null;
  digestAt: string;
}

export interface LearnedItem {
  id: number;
  tenantId: number;
  origin: LearnedOrigin;
  status: LearnedStatus;
  handoverId: number | null;
  handoverNumber: number | null;
  ordinal: number;
  question: string | null;
  answer: string | null;
  managerText: string | null;
  refusal: string | null;
  updatesItemId: number | null;
  updatesChunkId: number | null;
  updatesSource: string | null;
  updatesQuestion: string | null;
  updatesAnswer: string | null;
  editorId: number | null;
  createdById: number | null;
  createdByName: string | null;
  createdAt: number;
  submittedByName: string | null;
  decidedById: number | null;
  decidedByName: string | null;
  decidedAt: number | null;
  chatId: number | null;
  telegramMessageId: number | null;
  threadId: number | null;
  digestId: number | null;
}

export interface NewProposal {
  question: string;
  answer: string;
  managerText: string;
  updatesItemId: number | null;
  updatesChunkId: number | null;
  updatesSource: string | null;
  updatesQuestion: string | null;
  updatesAnswer: string | null;
}

export interface DigestRecord {
  id: number;
  tenantId: number;
  chatId: number | null;
  telegramMessageId: number | null;
  createdAt: number;
  sentAt: number | null;
}

/** Proposals per digest message: its text stays under Telegram's 4096 characters and its keyboard small. */
export const DIGEST_SIZE = 15;

/** The knowledge source learned entries live in; not a file name (those carry an extension), so never a clash. */
export const LEARNED_SOURCE = 'learned';

const ITEM = `SELECT id, tenant_id AS tenantId, origin, status, handover_id AS handoverId, handover_number AS handoverNumber, ordinal,
  question, answer, manager_text AS managerText, refusal, updates_item_id AS updatesItemId, updates_chunk_id AS updatesChunkId,
  updates_source AS updatesSource, updates_question AS updatesQuestion, updates_answer AS updatesAnswer, editor_id AS editorId,
  created_by_id AS createdById, created_by_name AS createdByName, created_at AS createdAt, submitted_by_name AS submittedByName,
  decided_by_id AS decidedById, decided_by_name AS decidedByName, decided_at AS decidedAt, chat_id AS chatId,
  telegram_message_id AS telegramMessageId, thread_id AS threadId, digest_id AS digestId FROM learned_items`;

const DEFAULTS: LearningSettings = { mode: 'direct', approverId: null, digestAt: '18:00' };

/**
 * SQL of learning: the per-tenant setting, learned items from draft to decision, digests, and the `learned` knowledge
 * source rebuilt from the live items. Every statement takes the tenant id (or an id that belongs to one tenant and is
 * checked by the caller against the tenant it acts for). Not transactional by itself: callers wrap a decision and its
 * audit row in `transaction`.
 */
export class LearningStore {
  private readonly knowledge: KnowledgeStore;

  constructor(private readonly db: Db) {
    this.knowledge = new KnowledgeStore(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  settings(tenantId: number): LearningSettings {
    const row = prepareCached(this.db, 'SELECT mode, approver_id AS approverId, digest_at AS digestAt FROM learning_settings WHERE tenant_id = ?').get(tenantId) as LearningSettings | undefined;
    return row ?? { ...DEFAULTS };
  }

  saveSettings(tenantId: number, settings: LearningSettings, now: number): void {
    prepareCached(this.db, `INSERT INTO learning_settings (tenant_id, mode, approver_id, digest_at, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (tenant_id) DO UPDATE SET mode = excluded.mode, approver_id = excluded.approver_id, digest_at = excluded.digest_at, updated_at = excluded.updated_at`)
      .run(tenantId, settings.mode, settings.approverId, settings.digestAt, now);
  }

  item(tenantId: number, id: number): LearnedItem | null {
    return (prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND id = ?`).get(tenantId, id) as LearnedItem | undefined) ?? null;
  }

  /** The tenant's item whose Telegram message `messageId` is in `chatId` (a manager's reply to a draft). */
  itemByMessage(tenantId: number, chatId: number, messageId: number): LearnedItem | null {
    return (prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND chat_id = ? AND telegram_message_id = ?`).get(tenantId, chatId, messageId) as LearnedItem | undefined) ?? null;
  }

  openDraft(tenantId: number, handoverId: number): LearnedItem | null {
    return (prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND handover_id = ? AND origin = 'taught' AND status IN ('drafting', 'draft', 'refused', 'editing')`)
      .get(tenantId, handoverId) as LearnedItem | undefined) ?? null;
  }

  list(tenantId: number, statuses: readonly LearnedStatus[]): LearnedItem[] {
    return prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY id`)
      .all(tenantId, JSON.stringify(statuses)) as LearnedItem[];
  }

  proposalsOf(tenantId: number, handoverId: number): LearnedItem[] {
    return prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND handover_id = ? AND origin = 'proposed' ORDER BY ordinal`).all(tenantId, handoverId) as LearnedItem[];
  }

  createDraft(d: { tenantId: number; handoverId: number; handoverNumber: number; managerText: string; createdById: number; createdByName: string; chatId: number | null; threadId: number | null; now: number }): number {
    return (prepareCached(this.db, `INSERT INTO learned_items (tenant_id, origin, status, handover_id, handover_number, manager_text, created_by_id, created_by_name,
        created_at, chat_id, thread_id, updated_at) VALUES (?, 'taught', 'drafting', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
      .get(d.tenantId, d.handoverId, d.handoverNumber, d.managerText, d.createdById, d.createdByName, d.now, d.chatId, d.threadId, d.now) as { id: number }).id;
  }

  /** Inserts a request's proposals with ordinals 1…n; a second call for the same request adds nothing. */
  insertProposals(tenantId: number, handover: { id: number; number: number }, proposals: readonly NewProposal[], now: number): number[] {
    const insert = prepareCached(this.db, `INSERT INTO learned_items (tenant_id, origin, status, handover_id, handover_number, ordinal, question, answer, manager_text,
        updates_item_id, updates_chunk_id, updates_source, updates_question, updates_answer, created_at, updated_at)
        VALUES (?, 'proposed', 'proposed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`);
    return proposals.flatMap((p, i) => {
      const row = insert.get(tenantId, handover.id, handover.number, i + 1, p.question, p.answer, p.managerText, p.updatesItemId, p.updatesChunkId,
        p.updatesSource, p.updatesQuestion, p.updatesAnswer, now, now) as { id: number } | undefined;
      return row ? [row.id] : [];
    });
  }

  /** Writes the fields given; `expect` guards a state change (false when the item was no longer in that state). */
  update(tenantId: number, id: number, fields: Partial<Pick<LearnedItem, 'status' | 'question' | 'answer' | 'managerText' | 'refusal' | 'editorId' | 'submittedByName' | 'decidedById' | 'decidedByName' | 'decidedAt' | 'chatId' | 'telegramMessageId' | 'threadId'>>, now: number, expect?: readonly LearnedStatus[]): boolean {
    const columns: Record<string, string> = {
      status: 'status', question: 'question', answer: 'answer', managerText: 'manager_text', refusal: 'refusal', editorId: 'editor_id',
      submittedByName: 'submitted_by_name', decidedById: 'decided_by_id', decidedByName: 'decided_by_name', decidedAt: 'decided_at',
      chatId: 'chat_id', telegramMessageId: 'telegram_message_id', threadId: 'thread_id',
    };
    const keys = Object.keys(fields).filter((k) => k in columns);
    const sets = [...keys.map((k) => `${columns[k]} = @${k}`), 'updated_at = @now'].join(', ');
    const guard = expect ? ' AND status IN (SELECT value FROM json_each(@expect))' : '';
    const info = this.db.prepare(`UPDATE learned_items SET ${sets} WHERE tenant_id = @tenantId AND id = @id${guard}`)
      .run({ ...Object.fromEntries(keys.map((k) => [k, (fields as Record<string, unknown>)[k] ?? null])), now, tenantId, id, ...(expect ? { expect: JSON.stringify(expect) } : {}) });
    return info.changes > 0;
  }

  /** Inserts a live item carried by a tenant import; provenance as exported. */
  insertImported(tenantId: number, item: { origin: LearnedOrigin; question: string; answer: string; handoverNumber: number | null; createdByName: string | null; createdAt: number; decidedByName: string | null; decidedAt: number | null }, now: number): number {
    return (prepareCached(this.db, `INSERT INTO learned_items (tenant_id, origin, status, handover_number, question, answer, created_by_name, created_at,
        decided_by_name, decided_at, updated_at) VALUES (?, ?, 'live', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
      .get(tenantId, item.origin, item.handoverNumber, item.question, item.answer, item.createdByName, item.createdAt, item.decidedByName, item.decidedAt, now) as { id: number }).id;
  }

  /**
   * Rebuilds the tenant's `learned` knowledge source from its live items (one FAQ chunk each, indexed like any
   * source), or deletes it when none is live. Call inside the transaction that changed an item's status.
   */
  rebuildLearnedSource(tenantId: number, now: number): number {
    const live = this.list(tenantId, ['live']).filter((i) => i.question && i.answer);
    const existing = this.knowledge.findSource(tenantId, LEARNED_SOURCE);
    if (live.length === 0) {
      if (existing) this.knowledge.removeSource(tenantId, existing.id);
      return 0;
    }
    const chunks = live.map((i) => faqChunk(i.question!, i.answer!));
    const checksum = createHash('sha256').update(JSON.stringify(live.map((i) => [i.id, i.question, i.answer]))).digest('hex');
    // kb_sources.format is CHECKed to the import formats; learned entries are FAQ pairs, which is what a JSON source holds.
    this.knowledge.writeSource(tenantId, { name: LEARNED_SOURCE, format: 'json', checksum, chunks }, now);
    return chunks.length;
  }

  /** The unsent digest of a tenant, or a new one; then every proposal not yet in a digest joins it. */
  collectDigest(tenantId: number, now: number): DigestRecord {
    let digest = prepareCached(this.db, 'SELECT id, tenant_id AS tenantId, chat_id AS chatId, telegram_message_id AS telegramMessageId, created_at AS createdAt, sent_at AS sentAt FROM learning_digests WHERE tenant_id = ? AND sent_at IS NULL ORDER BY id LIMIT 1')
      .get(tenantId) as DigestRecord | undefined;
    if (!digest) {
      const id = (prepareCached(this.db, 'INSERT INTO learning_digests (tenant_id, created_at) VALUES (?, ?) RETURNING id').get(tenantId, now) as { id: number }).id;
      digest = { id, tenantId, chatId: null, telegramMessageId: null, createdAt: now, sentAt: null };
    }
    // At most DIGEST_SIZE entries a message (Telegram's text and keyboard limits); the rest wait for the next digest.
    prepareCached(this.db, `UPDATE learned_items SET digest_id = ?, updated_at = ? WHERE id IN (SELECT id FROM learned_items WHERE tenant_id = ? AND origin = 'proposed'
        AND status = 'proposed' AND digest_id IS NULL ORDER BY id LIMIT max(0, ? - (SELECT count(*) FROM learned_items WHERE digest_id = ?)))`)
      .run(digest.id, now, tenantId, DIGEST_SIZE, digest.id);
    return digest;
  }

  /** Proposals waiting for a digest. */
  undigested(tenantId: number): number {
    return (prepareCached(this.db, "SELECT count(*) AS n FROM learned_items WHERE tenant_id = ? AND origin = 'proposed' AND status = 'proposed' AND digest_id IS NULL").get(tenantId) as { n: number }).n;
  }

  digestItems(tenantId: number, digestId: number): LearnedItem[] {
    return prepareCached(this.db, `${ITEM} WHERE tenant_id = ? AND digest_id = ? ORDER BY id`).all(tenantId, digestId) as LearnedItem[];
  }

  digest(tenantId: number, digestId: number): DigestRecord | null {
    return (prepareCached(this.db, 'SELECT id, tenant_id AS tenantId, chat_id AS chatId, telegram_message_id AS telegramMessageId, created_at AS createdAt, sent_at AS sentAt FROM learning_digests WHERE tenant_id = ? AND id = ?')
      .get(tenantId, digestId) as DigestRecord | undefined) ?? null;
  }

  markDigestSent(tenantId: number, digestId: number, chatId: number, messageId: number, now: number): void {
    prepareCached(this.db, 'UPDATE learning_digests SET chat_id = ?, telegram_message_id = ?, sent_at = ? WHERE tenant_id = ? AND id = ?').run(chatId, messageId, now, tenantId, digestId);
  }

  /** Drops an empty unsent digest (no proposal joined it). */
  dropDigest(tenantId: number, digestId: number): void {
    prepareCached(this.db, 'DELETE FROM learning_digests WHERE tenant_id = ? AND id = ? AND sent_at IS NULL').run(tenantId, digestId);
  }

  /**
   * The conversation of a handover: the contact's messages from an hour before it opened (or the previous request's
   * resolution, if later) to its resolution, oldest first. The customer's question that caused it is in that window.
   */
  handoverConversation(tenantId: number, handoverId: number): { author: 'customer' | 'bot' | 'manager' | 'system'; text: string }[] {
    const h = prepareCached(this.db, `SELECT contact_id AS contactId, created_at AS createdAt, resolved_at AS resolvedAt,
        (SELECT max(p.resolved_at) FROM handovers p WHERE p.tenant_id = handovers.tenant_id AND p.contact_id = handovers.contact_id AND p.id < handovers.id) AS previous
        FROM handovers WHERE tenant_id = ? AND id = ?`)
      .get(tenantId, handoverId) as { contactId: number; createdAt: number; resolvedAt: number | null; previous: number | null } | undefined;
    if (!h) return [];
    const from = Math.max(h.createdAt - 3_600_000, h.previous ?? 0);
    return prepareCached(this.db, `SELECT author_kind AS author, body AS text FROM messages WHERE tenant_id = ? AND contact_id = ? AND created_at > ?
        AND created_at <= ? AND body IS NOT NULL ORDER BY id`)
      .all(tenantId, h.contactId, from, h.resolvedAt ?? Number.MAX_SAFE_INTEGER) as { author: 'customer' | 'bot' | 'manager' | 'system'; text: string }[];
  }

  /** The contact of a handover as the customer-detail filter needs it. */
  customerOf(tenantId: number, handoverId: number): { phone: string; name: string | null } | null {
    return (prepareCached(this.db, `SELECT c.provider_id AS phone, c.display_name AS name FROM handovers h JOIN contacts c ON c.id = h.contact_id
        WHERE h.tenant_id = ? AND h.id = ?`).get(tenantId, handoverId) as { phone: string; name: string | null } | undefined) ?? null;
  }

  handoverRef(tenantId: number, handoverId: number): { id: number; number: number; status: string; firstResponseAt: number | null } | null {
    return (prepareCached(this.db, 'SELECT id, number, status, first_response_at AS firstResponseAt FROM handovers WHERE tenant_id = ? AND id = ?')
      .get(tenantId, handoverId) as { id: number; number: number; status: string; firstResponseAt: number | null } | undefined) ?? null;
  }
}
