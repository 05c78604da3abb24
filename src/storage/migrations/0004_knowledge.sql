-- The knowledge base: sources (files) of a tenant, their chunks, and the full-text index the brain searches.
-- See docs/decisions/0008-knowledge-search.md.

CREATE TABLE kb_sources (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,                 -- the file name; re-adding a file of the same name replaces it
  format       TEXT NOT NULL CHECK (format IN ('md', 'txt', 'csv', 'json')),
  checksum     TEXT NOT NULL,                 -- sha256 of the importer version, format and bytes: equal means unchanged
  chunk_count  INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE kb_chunks (
  id           INTEGER PRIMARY KEY,           -- also the rowid of the chunk's kb_fts row
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  source_id    INTEGER NOT NULL REFERENCES kb_sources(id) ON DELETE CASCADE,
  ordinal      INTEGER NOT NULL,              -- position in the source, from 1
  heading      TEXT,                          -- Markdown heading path
  question     TEXT,                          -- FAQ chunks (csv, json)
  answer       TEXT,
  text         TEXT NOT NULL,                 -- the original text shown to the LLM
  created_at   INTEGER NOT NULL,
  UNIQUE (source_id, ordinal)
) STRICT;
CREATE INDEX kb_chunks_tenant_faq ON kb_chunks (tenant_id) WHERE question IS NOT NULL;

-- Full-text index, one row per chunk (rowid = kb_chunks.id):
--   tenant_key  the token `t<tenant_id>`; every query is `tenant_key:t42 AND body:(…)`, so the MATCH itself
--               intersects with the tenant's ~50 rows instead of filtering all tenants' hits afterwards;
--   body        the chunk text after normalizeText() (src/knowledge/normalize.ts): ё→е, Kazakh letters to base.
-- Contentless (content=''): the original text lives in kb_chunks, so the index does not store a second copy;
-- contentless_delete=1 (SQLite ≥ 3.43) lets a row be deleted by rowid alone.
-- Sync: rows are inserted by KnowledgeStore in the transaction that inserts the chunks (the body is normalised in
-- TypeScript, so SQL cannot compute it); they are deleted by the trigger below, which also fires for chunks that
-- go by ON DELETE CASCADE when a source or a whole tenant is removed.
CREATE VIRTUAL TABLE kb_fts USING fts5(
  tenant_key, body,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER kb_chunks_delete_fts AFTER DELETE ON kb_chunks BEGIN
  DELETE FROM kb_fts WHERE rowid = old.id;
END;
