-- What the bot needs to answer: versioned prompts, per-tenant bot settings, LLM call records (abuse cap,
-- error rates), and the customer-facing text overrides of a tenant.

CREATE TABLE prompts (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  body        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  note        TEXT,
  created_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, version)
) STRICT;

ALTER TABLE tenants ADD COLUMN prompt_version INTEGER;              -- the version in force (rollback moves it)
ALTER TABLE tenants ADD COLUMN voice_transcription INTEGER NOT NULL DEFAULT 0 CHECK (voice_transcription IN (0, 1));
ALTER TABLE tenants ADD COLUMN llm_calls_per_hour INTEGER NOT NULL DEFAULT 30;
ALTER TABLE tenants ADD COLUMN texts TEXT CHECK (texts IS NULL OR json_valid(texts)); -- {"en": {"holding_reply": "…"}}

CREATE TABLE llm_calls (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
  purpose      TEXT NOT NULL,                  -- reply, transcription, summary
  at           INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'timeout')),
  error        TEXT
) STRICT;
CREATE INDEX llm_calls_contact ON llm_calls (contact_id, at);
CREATE INDEX llm_calls_at ON llm_calls (at);

-- When a customer was last told "a manager is already handling your request" (at most once per window).
ALTER TABLE conversations ADD COLUMN notice_sent_at INTEGER;
