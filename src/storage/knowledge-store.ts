import type { Chunk } from '../knowledge/chunk.js';
import { normalizeText, tenantKey } from '../knowledge/normalize.js';
import type { Db } from './open-db.js';

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
  /** FTS5 bm25: lower (more negative) is a better match. */
  bm25: number;
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
 * SQL for knowledge sources, chunks and their full-text index. Every statement takes the tenant id, and search
 * puts the tenant's token into the MATCH expression (see 0004_knowledge.sql). Writes are not transactions by
 * themselves: KnowledgeService wraps each command's writes, with its audit row, in one.
 */
export class KnowledgeStore {
  constructor(private readonly db: Db) {}

  findSource(tenantId: number, name: string): SourceRecord | null {
    return (this.db.prepare(`SELECT ${SOURCE_COLUMNS} FROM kb_sources WHERE tenant_id = ? AND name = ?`).get(tenantId, name) as SourceRecord | undefined) ?? null;
  }

  listSources(tenantId: number): SourceRecord[] {
    return this.db.prepare(`SELECT ${SOURCE_COLUMNS} FROM kb_sources WHERE tenant_id = ? ORDER BY name`).all(tenantId) as SourceRecord[];
  }

  chunks(tenantId: number, sourceId: number): ChunkRecord[] {
    return this.db
      .prepare(`SELECT id, source_id AS sourceId, ordinal, heading, question, answer, text FROM kb_chunks
                WHERE tenant_id = ? AND source_id = ? ORDER BY ordinal`)
      .all(tenantId, sourceId) as ChunkRecord[];
  }

  /**
   * Creates the source or replaces all its chunks (the trigger drops their index rows), then inserts the new chunks
   * with their index rows. Keeps the source's id and created_at across replacements. Returns the source id.
   */
  writeSource(tenantId: number, source: SourceWrite, now: number): number {
    const { id } = this.db
      .prepare(`INSERT INTO kb_sources (tenant_id, name, format, checksum, chunk_count, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, name) DO UPDATE SET format = excluded.format, checksum = excluded.checksum,
                  chunk_count = excluded.chunk_count, updated_at = excluded.updated_at
                RETURNING id`)
      .get(tenantId, source.name, source.format, source.checksum, source.chunks.length, now, now) as { id: number };
    this.db.prepare('DELETE FROM kb_chunks WHERE tenant_id = ? AND source_id = ?').run(tenantId, id);
    const insertChunk = this.db.prepare(`INSERT INTO kb_chunks (tenant_id, source_id, ordinal, heading, question, answer, text, created_at)
                                         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`);
    const insertFts = this.db.prepare('INSERT INTO kb_fts (rowid, tenant_key, body) VALUES (?, ?, ?)');
    const key = tenantKey(tenantId);
    source.chunks.forEach((chunk, index) => {
      const { id: chunkId } = insertChunk.get(tenantId, id, index + 1, chunk.heading, chunk.question, chunk.answer, chunk.text, now) as { id: number };
      // The indexed body is the chunk text (heading path and FAQ question included) normalised exactly as queries are.
      insertFts.run(chunkId, key, normalizeText(chunk.text));
    });
    return id;
  }

  /** Deletes a source; its chunks and their index rows go by cascade and trigger. Returns how many chunks went. */
  removeSource(tenantId: number, sourceId: number): number {
    const { n } = this.db.prepare('SELECT count(*) AS n FROM kb_chunks WHERE tenant_id = ? AND source_id = ?').get(tenantId, sourceId) as { n: number };
    this.db.prepare('DELETE FROM kb_sources WHERE tenant_id = ? AND id = ?').run(tenantId, sourceId);
    return n;
  }

  /**
   * Ranked chunks for an FTS5 expression built by buildMatchQuery (which carries the tenant token). bm25 weighs
   * the tenant_key column 0: it matches every row of the tenant and says nothing about relevance.
   */
  search(tenantId: number, match: string, limit: number): SearchRow[] {
    // `c.tenant_id = ?` is a second lock on the door, not the filter: the MATCH already holds only this tenant's rows.
    return this.db
      .prepare(`SELECT c.id AS chunkId, s.name AS sourceName, c.heading, c.question, c.answer, c.text, bm25(kb_fts, 0.0, 1.0) AS bm25
                FROM kb_fts JOIN kb_chunks c ON c.id = kb_fts.rowid JOIN kb_sources s ON s.id = c.source_id
                WHERE kb_fts MATCH ? AND c.tenant_id = ?
                ORDER BY bm25, c.id LIMIT ?`)
      .all(match, tenantId, limit) as SearchRow[];
  }

  /** How many index rows an FTS5 expression matches (tests and doctor: the index agrees with kb_chunks). */
  countMatches(match: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM kb_fts WHERE kb_fts MATCH ?').get(match) as { n: number }).n;
  }

  /** Every FAQ chunk of a tenant (a few dozen), for near-duplicate matching of a customer's question. */
  faqs(tenantId: number): FaqRow[] {
    return this.db
      .prepare(`SELECT c.id AS chunkId, s.name AS sourceName, c.question, c.answer FROM kb_chunks c JOIN kb_sources s ON s.id = c.source_id
                WHERE c.tenant_id = ? AND c.question IS NOT NULL AND c.answer IS NOT NULL ORDER BY c.id`)
      .all(tenantId) as FaqRow[];
  }

  countChunks(tenantId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM kb_chunks WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }
}
