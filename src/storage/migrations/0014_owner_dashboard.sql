-- The business owner's dashboard: why each handover was opened and on which question (for the reasons and the
-- knowledge gaps), one-time login links and sessions, the digest setting, and the indexes its numbers read.
-- See docs/decisions/0024-owner-dashboard-numbers.md and 0025-dashboard-login.md.

-- The brain's escalation cause (no_knowledge, model_handover, unsupported_facts, llm_unavailable, media, …) and the
-- customer's text that led to the handover. Older handovers get both from their `handover.opened` trace events.
ALTER TABLE handovers ADD COLUMN cause TEXT;
ALTER TABLE handovers ADD COLUMN question TEXT;

UPDATE handovers SET cause = (
  SELECT json_extract(e.detail, '$.cause') FROM trace_events e
  WHERE e.step = 'handover.opened' AND e.tenant_id = handovers.tenant_id AND json_extract(e.detail, '$.handoverId') = handovers.id
  LIMIT 1
);
UPDATE handovers SET question = (
  SELECT group_concat(m.body, char(10)) FROM messages m
  WHERE m.id IN (SELECT e.message_id FROM trace_events e
                 WHERE e.step = 'handover.opened' AND e.tenant_id = handovers.tenant_id AND json_extract(e.detail, '$.handoverId') = handovers.id)
    AND m.body IS NOT NULL
);

-- The numbers of a range read a tenant's handovers by creation time, and its messages of the range: the messages
-- index gains the two columns the overview reads (who wrote, which contact), so a range of 100,000 messages is read
-- from the index alone instead of 100,000 row lookups. Same name and leading columns: every query that used it still does.
CREATE INDEX handovers_tenant_created ON handovers (tenant_id, created_at);
DROP INDEX messages_tenant_created;
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at, contact_id, author_kind);

-- A one-time link the bot sent privately after `/dashboard`: only its SHA-256 is stored, it is used once and expires.
CREATE TABLE dashboard_links (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  token_hash    TEXT NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL,            -- Telegram user id
  user_name     TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('owner', 'manager')),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER
) STRICT;
CREATE INDEX dashboard_links_user ON dashboard_links (user_id, created_at);

-- A browser session opened by a link: the cookie holds the token, the table its SHA-256.
CREATE TABLE dashboard_sessions (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  token_hash    TEXT NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL,
  user_name     TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('owner', 'manager')),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  ended_at      INTEGER
) STRICT;
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- Managers may open the dashboard too (1) or only the owner (0); the owner's digest: off, daily or weekly.
ALTER TABLE tenants ADD COLUMN dashboard_managers INTEGER NOT NULL DEFAULT 1 CHECK (dashboard_managers IN (0, 1));
ALTER TABLE tenants ADD COLUMN digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly'));
ALTER TABLE tenants ADD COLUMN digest_sent_for TEXT;          -- the local day (YYYY-MM-DD) the last digest covered up to
