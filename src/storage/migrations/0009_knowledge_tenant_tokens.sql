-- The knowledge index with the tenant folded into every token. See docs/decisions/0017-tenant-scoped-index-terms.md.
--
-- kb_terms replaces kb_fts (0004). One row per chunk, rowid = kb_chunks.id; `body` holds the chunk text after
-- normalizeText() with every word prefixed by the tenant: `t42xчистка t42xзубов t42x15000`
-- (indexBody in src/knowledge/normalize.ts). A query term is folded the same way (`"t42xчистк"*`), so a term's
-- postings and a prefix's expansion cover one tenant's ~50 chunks instead of the whole cell's, and bm25's document
-- frequencies are the tenant's own.
-- Contentless (content=''), contentless_delete=1 (SQLite ≥ 3.43), same tokenizer as kb_fts.
--
-- Sync, as for kb_fts: KnowledgeStore inserts the rows in the transaction that inserts the chunks; the trigger below
-- deletes them, also for chunks removed by ON DELETE CASCADE when a source or a tenant goes.
--
-- Filling: the body is computed in TypeScript, so this file only creates the empty table. The migration's
-- TypeScript step (version 9 in src/storage/migration-steps.ts) runs right after this SQL, in the same transaction
-- and before the version is recorded: it indexes every existing chunk.

CREATE VIRTUAL TABLE kb_terms USING fts5(
  body,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- The index's term list, one row per distinct token: search reads the range `t42x<stem>…` of it to learn which
-- word forms of a short stem the tenant's chunks hold (KnowledgeStore.indexedWords), instead of looking up each
-- known ending. Reads the index; stores nothing.
CREATE VIRTUAL TABLE kb_terms_vocab USING fts5vocab(kb_terms, row);

DROP TRIGGER kb_chunks_delete_fts;

CREATE TRIGGER kb_chunks_delete_terms AFTER DELETE ON kb_chunks BEGIN
  DELETE FROM kb_terms WHERE rowid = old.id;
END;

DROP TABLE kb_fts;
