import type { Chunk } from '../knowledge/chunk.js';
import { indexBody, tenantPrefix, tenantTerm } from '../knowledge/normalize.js';
import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface SourceRecord {
  id: number;
  tenantId: number;
  name: string;
  format: string;
  checksum: string;
  chunkCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface ChunkRecord {
  id: number;
  sourceId: number;
  ordinal: number;
  heading: string | null;
  question: string | null;
  answer: string | null;
  text: string;
}

export interface SearchRow {
  chunkId: number;
  sourceName: string;
  heading: string | null;
  question: string | null;
  answer: string | null;
  text: string;
}

export interface FaqRow {
  chunkId: number;
  sourceName: string;
  question: string;
  answer: string;
}

export interface SourceWrite {
  name: string;
  format: string;
  checksum: string;
  chunks: readonly Chunk[];
}

const SOURCE_COLUMNS = `id, tenant_id AS tenantId, name, format, checksum, chunk_count AS chunkCount,
  created_at AS createdAt, updated_at AS updatedAt`;

/**
 * SQL for knowledge sources, chunks and their full-text index `kb_terms`. Every statement takes the tenant id, and
 * every indexed word and query term carries the tenant (see 0009_knowledge_tenant_tokens.sql). Writes are not
 * transactions by themselves: KnowledgeService wraps each command's writes, with its audit row, in one.
 */
export class KnowledgeStore {
  constructor(private readonly db: Db) {}

  findSource(tenantId: number, name: string): SourceRecord | null {
    return (prepareCached(this.db, `SELECT ${SOURCE_COLUMNS} FROM kb_sources WHERE tenant_id = ? AND name = ?`).get(tenantId, name) as SourceRecord | undefined) ?? null;
  }

  listSources(tenantId: number): SourceRecord[] {
    return prepareCached(this.db, `SELECT ${SOURCE_COLUMNS} FROM kb_sources WHERE tenant_id = ? ORDER BY name`).all(tenantId) as SourceRecord[];
  }

  chunks(tenantId: number, sourceId: number): ChunkRecord[] {
    return prepareCached(this.db, `SELECT id, source_id AS sourceId, ordinal, heading, question, answer, text FROM kb_chunks
                WHERE tenant_id = ? AND source_id = ? ORDER BY ordinal`)
      .all(tenantId, sourceId) as ChunkRecord[];
  }

  /**
   * Creates the source or replaces all its chunks (the trigger drops their index rows), then inserts the new chunks
   * with their index rows. Keeps the source's id and created_at across replacements. Returns the source id.
   */
  writeSource(tenantId: number, source: SourceWrite, now: number): number {
    const { id } = prepareCached(this.db, `INSERT INTO kb_sources (tenant_id, name, format, checksum, chunk_count, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, name) DO UPDATE SET format = excluded.format, checksum = excluded.checksum,
                  chunk_count = excluded.chunk_count, updated_at = excluded.updated_at
                RETURNING id`)
      .get(tenantId, source.name, source.format, source.checksum, source.chunks.length, now, now) as { id: number };
    prepareCached(this.db, 'DELETE FROM kb_chunks WHERE tenant_id = ? AND source_id = ?').run(tenantId, id);
    const insertChunk = prepareCached(this.db, `INSERT INTO kb_chunks (tenant_id, source_id, ordinal, heading, question, answer, text, created_at)
                                         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`);
    const insertTerms = prepareCached(this.db, 'INSERT INTO kb_terms (rowid, body) VALUES (?, ?)');
    source.chunks.forEach((chunk, index) => {
      const { id: chunkId } = insertChunk.get(tenantId, id, index + 1, chunk.heading, chunk.question, chunk.answer, chunk.text, now) as { id: number };
      // The chunk text (heading path and FAQ question included) normalised exactly as queries are, folded with the tenant.
      insertTerms.run(chunkId, indexBody(tenantId, chunk.text));
    });
    return id;
  }

  /** Deletes a source; its chunks and their index rows go by cascade and trigger. Returns how many chunks went. */
  removeSource(tenantId: number, sourceId: number): number {
    const { n } = prepareCached(this.db, 'SELECT count(*) AS n FROM kb_chunks WHERE tenant_id = ? AND source_id = ?').get(tenantId, sourceId) as { n: number };
    prepareCached(this.db, 'DELETE FROM kb_sources WHERE tenant_id = ? AND id = ?').run(tenantId, sourceId);
    return n;
  }

  /**
   * The tenant's chunks matching an FTS5 expression built by buildMatchQuery (every term folded with the tenant), at
   * most `limit`, best first by FTS5's bm25. searchKnowledge re-ranks them with the tenant's own statistics
   * (rankByTenantBm25), so `limit` is a candidate pool that holds every match of a tenant of ordinary size.
   */
  search(tenantId: number, match: string, limit: number): SearchRow[] {
    // `c.tenant_id = ?` is a second lock on the door, not the filter: the MATCH already holds only this tenant's rows.
    return prepareCached(this.db, `SELECT c.id AS chunkId, s.name AS sourceName, c.heading, c.question, c.answer, c.text
                FROM kb_terms JOIN kb_chunks c ON c.id = kb_terms.rowid JOIN kb_sources s ON s.id = c.source_id
                WHERE kb_terms MATCH ? AND c.tenant_id = ?
                ORDER BY bm25(kb_terms), c.id LIMIT ?`)
      .all(match, tenantId, limit) as SearchRow[];
  }

  /** The tenant's chunk count, from its sources (an index read, not a count of kb_chunks). */
  chunkTotal(tenantId: number): number {
    return (prepareCached(this.db, 'SELECT coalesce(sum(chunk_count), 0) AS n FROM kb_sources WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }

  /**
   * The tenant's indexed words that begin with `stem` (unfolded: `цена`, `центр`), read from the index's term list
   * (kb_terms_vocab) as one range of `t42x<stem>…` terms: a few words of one tenant's vocabulary. May include a word
   * whose chunks were deleted but not yet merged away; matching it then finds nothing.
   */
  indexedWords(tenantId: number, stem: string): string[] {
    const from = tenantTerm(tenantId, stem);
    const last = [...from].at(-1)!;
    const to = from.slice(0, -last.length) + String.fromCodePoint(last.codePointAt(0)! + 1);
    const prefix = tenantPrefix(tenantId);
    return (prepareCached(this.db, 'SELECT term FROM kb_terms_vocab WHERE term >= ? AND term < ?').pluck().all(from, to) as string[])
      .map((term) => term.slice(prefix.length));
  }

  /** How many index rows an FTS5 expression matches (tests: the index agrees with kb_chunks). */
  countMatches(match: string): number {
    return (prepareCached(this.db, 'SELECT count(*) AS n FROM kb_terms WHERE kb_terms MATCH ?').get(match) as { n: number }).n;
  }

  /** How many index rows hold a word of the tenant: one per chunk of the tenant that has a word (the index agrees with kb_chunks). */
  countIndexed(tenantId: number): number {
    return this.countMatches(`"${tenantPrefix(tenantId)}"*`);
  }

  /** Every FAQ chunk of a tenant (a few dozen), for near-duplicate matching of a customer's question. */
  faqs(tenantId: number): FaqRow[] {
    return prepareCached(this.db, `SELECT c.id AS chunkId, s.name AS sourceName, c.question, c.answer FROM kb_chunks c JOIN kb_sources s ON s.id = c.source_id
                WHERE c.tenant_id = ? AND c.question IS NOT NULL AND c.answer IS NOT NULL ORDER BY c.id`)
      .all(tenantId) as FaqRow[];
  }

  countChunks(tenantId: number): number {
    return (prepareCached(this.db, 'SELECT count(*) AS n FROM kb_chunks WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }

  /** Every chunk of the tenant in a stable order (source name, then position): the whole knowledge of a prompt. */
  allChunks(tenantId: number): SearchRow[] {
    // Through the sources' (tenant_id, name) index and the chunks' (source_id, ordinal) one: kb_chunks has no index on
    // tenant_id alone, and scanning it would read the whole cell's chunks.
    return prepareCached(this.db, `SELECT c.id AS chunkId, s.name AS sourceName, c.heading, c.question, c.answer, c.text
                FROM kb_sources s JOIN kb_chunks c ON c.source_id = s.id
                WHERE s.tenant_id = ? AND c.tenant_id = s.tenant_id ORDER BY s.name, c.ordinal`)
      .all(tenantId) as SearchRow[];
  }

  /** Changes whenever the tenant's knowledge does (a source added, replaced or removed): a cache key. */
  version(tenantId: number): string {
    const row = prepareCached(this.db, `SELECT count(*) AS n, coalesce(max(updated_at), 0) AS at, coalesce(sum(chunk_count), 0) AS chunks, coalesce(max(id), 0) AS maxId
                FROM kb_sources WHERE tenant_id = ?`).get(tenantId) as { n: number; at: number; chunks: number; maxId: number };
    return `${row.n}:${row.at}:${row.chunks}:${row.maxId}`;
  }

  /** Every distinct word of the tenant's index (unfolded), from the index's term list: its vocabulary for fuzzy matching. */
  vocabulary(tenantId: number): string[] {
    const prefix = tenantPrefix(tenantId);
    const to = prefix.slice(0, -1) + 'y';
    return (prepareCached(this.db, 'SELECT term FROM kb_terms_vocab WHERE term >= ? AND term < ?').pluck().all(prefix, to) as string[])
      .map((term) => term.slice(prefix.length));
  }

  /** The tenant's own knowledge budget in tokens, or null for the cell's. */
  budgetOverride(tenantId: number): number | null {
    return (prepareCached(this.db, 'SELECT knowledge_budget_tokens FROM tenants WHERE id = ?').pluck().get(tenantId) as number | null | undefined) ?? null;
  }

  setBudgetOverride(tenantId: number, tokens: number | null): void {
    prepareCached(this.db, 'UPDATE tenants SET knowledge_budget_tokens = ? WHERE id = ?').run(tokens, tenantId);
  }
}
