-- Retrieval by meaning and the knowledge budget. See docs/decisions/0018-whole-knowledge-under-a-budget.md and
-- docs/decisions/0019-hybrid-retrieval-with-embeddings.md.
--
-- kb_vectors: one embedding per chunk and model (a model change leaves the old vectors until the embed job has
-- written the new ones; search reads only the configured model's). The vector is little-endian float32, normalised
-- by the writer so cosine is a dot product. tenant_id repeats the chunk's tenant so a search reads one tenant's
-- rows by index, never another's.
CREATE TABLE kb_vectors (
  chunk_id    INTEGER NOT NULL REFERENCES kb_chunks(id) ON DELETE CASCADE,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  model       TEXT NOT NULL,
  dims        INTEGER NOT NULL,
  vector      BLOB NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (chunk_id, model)
) STRICT;
CREATE INDEX kb_vectors_tenant_model ON kb_vectors (tenant_id, model);

-- A tenant's own knowledge budget in tokens (NULL: the cell's BOTCTL_KNOWLEDGE_BUDGET_TOKENS). Knowledge that fits
-- goes whole into every prompt; beyond it a turn gets hybrid retrieval.
ALTER TABLE tenants ADD COLUMN knowledge_budget_tokens INTEGER CHECK (knowledge_budget_tokens IS NULL OR knowledge_budget_tokens >= 0);
