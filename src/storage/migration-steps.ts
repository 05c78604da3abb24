import { indexBody } from '../knowledge/normalize.js';
import type { Db } from './open-db.js';

/**
 * The TypeScript part of a migration, for what SQL cannot compute (an index body normalised in TypeScript).
 * applyMigrations runs it right after the migration's SQL, in the same transaction and before the version's ledger
 * row, so the version is recorded only with its data in place and a failing step rolls the SQL back with it.
 *
 * A step belongs to its migration as much as the SQL file does: it is never edited after release (a later change is
 * a later migration), and it writes the schema as it stands at its version, with its own SQL, not through a store
 * class that later versions may change.
 */
export interface MigrationStep {
  /** The name part of the migration's file (`0009_knowledge_tenant_tokens.sql` → `knowledge_tenant_tokens`). */
  readonly name: string;
  readonly run: (db: Db) => void;
}

/** Chunks read and indexed per batch: keeps memory flat on a 500,000-chunk cell. */
const INDEX_BATCH = 2000;

/**
 * 0009: fills kb_terms (created empty by the SQL) from every existing chunk, with the body KnowledgeStore writes.
 * Reads kb_chunks by id in batches (better-sqlite3 cannot write while a read is still being iterated), then merges
 * the index's segments into one with FTS5's `optimize`, so an upgraded cell starts with the fewest b-trees to search.
 */
function indexExistingChunks(db: Db): void {
  const read = db.prepare('SELECT id, tenant_id AS tenantId, text FROM kb_chunks WHERE id > ? ORDER BY id LIMIT ?');
  const insert = db.prepare('INSERT INTO kb_terms (rowid, body) VALUES (?, ?)');
  let after = 0;
  for (;;) {
    const batch = read.all(after, INDEX_BATCH) as { id: number; tenantId: number; text: string }[];
    for (const chunk of batch) insert.run(chunk.id, indexBody(chunk.tenantId, chunk.text));
    if (batch.length < INDEX_BATCH) break;
    after = batch.at(-1)!.id;
  }
  db.prepare("INSERT INTO kb_terms (kb_terms) VALUES ('optimize')").run();
}

/** Migration steps by version. knownMigrations attaches each to its file and refuses a step without one. */
export const MIGRATION_STEPS: ReadonlyMap<number, MigrationStep> = new Map<number, MigrationStep>([
  [9, { name: 'knowledge_tenant_tokens', run: indexExistingChunks }],
]);
