import type { Db } from './open-db.js';
import { prepareCached } from './prepare-cached.js';

export interface ChunkToEmbed {
  chunkId: number;
  text: string;
}

export interface StoredVector {
  chunkId: number;
  vector: Float32Array;
}

/**
 * SQL of kb_vectors (0011): one embedding per chunk and model. Every statement takes the tenant id. Vectors are stored
 * as little-endian float32 blobs, normalised by the caller.
 */
export class VectorStore {
  constructor(private readonly db: Db) {}

  /** Chunks of the tenant without a vector of `model`, oldest first, at most `limit`. */
  missing(tenantId: number, model: string, limit: number): ChunkToEmbed[] {
    // Through the sources' index (kb_chunks has no index on tenant_id alone).
    return prepareCached(this.db, `SELECT c.id AS chunkId, c.text FROM kb_sources s JOIN kb_chunks c ON c.source_id = s.id
                WHERE s.tenant_id = ? AND c.tenant_id = s.tenant_id AND NOT EXISTS (SELECT 1 FROM kb_vectors v WHERE v.chunk_id = c.id AND v.model = ?)
                ORDER BY c.id LIMIT ?`).all(tenantId, model, limit) as ChunkToEmbed[];
  }

  /** Writes vectors of one batch (in the caller's transaction): a crash keeps every batch written before it. */
  write(tenantId: number, model: string, vectors: readonly { chunkId: number; vector: Float32Array }[], now: number): void {
    // The chunk must still be the tenant's: a source replaced while its batch was embedding has new chunk ids.
    const insert = prepareCached(this.db, `INSERT INTO kb_vectors (chunk_id, tenant_id, model, dims, vector, created_at)
                SELECT id, tenant_id, ?, ?, ?, ? FROM kb_chunks WHERE id = ? AND tenant_id = ?
                ON CONFLICT (chunk_id, model) DO UPDATE SET dims = excluded.dims, vector = excluded.vector, created_at = excluded.created_at`);
    for (const { chunkId, vector } of vectors) {
      insert.run(model, vector.length, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), now, chunkId, tenantId);
    }
  }

  /** Deletes the tenant's vectors of other models (after the configured model covers every chunk). */
  dropOtherModels(tenantId: number, model: string): number {
    return prepareCached(this.db, 'DELETE FROM kb_vectors WHERE tenant_id = ? AND model <> ?').run(tenantId, model).changes;
  }

  /** Every vector of the tenant for `model`. */
  vectors(tenantId: number, model: string): StoredVector[] {
    const rows = prepareCached(this.db, 'SELECT chunk_id AS chunkId, vector FROM kb_vectors WHERE tenant_id = ? AND model = ? ORDER BY chunk_id')
      .all(tenantId, model) as { chunkId: number; vector: Buffer }[];
    return rows.map((r) => ({ chunkId: r.chunkId, vector: new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)) }));
  }

  /** A cache key that changes when the tenant's vectors of `model` do. */
  version(tenantId: number, model: string): string {
    // count and max(rowid) come from the (tenant_id, model) index alone: reading created_at would read every row past
    // its vector blob. A rewritten vector (ON CONFLICT … DO UPDATE) keeps its rowid but only happens with new chunk ids.
    const row = prepareCached(this.db, 'SELECT count(*) AS n, coalesce(max(rowid), 0) AS at FROM kb_vectors WHERE tenant_id = ? AND model = ?').get(tenantId, model) as { n: number; at: number };
    return `${row.n}:${row.at}`;
  }

  /** How many of the tenant's chunks have a vector of `model`. */
  coverage(tenantId: number, model: string): { chunks: number; embedded: number } {
    return prepareCached(this.db, `SELECT (SELECT coalesce(sum(chunk_count), 0) FROM kb_sources WHERE tenant_id = ?) AS chunks,
                (SELECT count(*) FROM kb_vectors WHERE tenant_id = ? AND model = ?) AS embedded`).get(tenantId, tenantId, model) as { chunks: number; embedded: number };
  }
}
