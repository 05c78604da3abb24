-- Managers teach the bot: who decides per tenant, every learned item from its draft to its decision (with the
-- provenance the operator sees), and the daily digests that carry proposals to the managers' group.

-- Absent row = the defaults: learning 'direct', approver = the owner's chat id, digest at 18:00 local time.
CREATE TABLE learning_settings (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER NOT NULL UNIQUE REFERENCES tenants(id) ON DELETE CASCADE,
  mode         TEXT NOT NULL DEFAULT 'direct' CHECK (mode IN ('direct', 'approve', 'off')),
  approver_id  INTEGER,                      -- Telegram user id; NULL = the owner (tenants.owner_chat_id)
  digest_at    TEXT NOT NULL DEFAULT '18:00' CHECK (digest_at GLOB '[0-2][0-9]:[0-5][0-9]'),
  updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE learning_digests (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  chat_id             INTEGER,
  telegram_message_id INTEGER,              -- NULL until posted
  created_at          INTEGER NOT NULL,
  sent_at             INTEGER
) STRICT;
CREATE INDEX learning_digests_tenant ON learning_digests (tenant_id, sent_at);

-- One row per learned item. origin 'taught': a manager pressed Teach; 'proposed': the bot found it in a resolved
-- request. status: drafting (the model is writing it) → draft | refused → editing → draft → pending (waits for the
-- approver) | proposed (waits in a digest) → live | discarded | rejected; live → removed | replaced.
CREATE TABLE learned_items (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  origin              TEXT NOT NULL CHECK (origin IN ('taught', 'proposed', 'imported')),
  status              TEXT NOT NULL CHECK (status IN ('drafting', 'draft', 'refused', 'editing', 'pending', 'proposed', 'live',
                                                      'discarded', 'rejected', 'removed', 'replaced')),
  handover_id         INTEGER REFERENCES handovers(id) ON DELETE SET NULL,
  handover_number     INTEGER,               -- kept when the handover row goes (provenance: "from request #12")
  ordinal             INTEGER NOT NULL DEFAULT 0, -- the n-th proposal drawn from one request
  question            TEXT,
  answer              TEXT,
  manager_text        TEXT,                  -- the manager's own words the draft must keep every fact of
  refusal             TEXT,                  -- why a draft was refused (the facts that changed)
  updates_item_id     INTEGER REFERENCES learned_items(id) ON DELETE SET NULL, -- a proposed update of a live learned entry
  updates_chunk_id    INTEGER,               -- or of a chunk of another source (kb_chunks.id, informative)
  updates_source      TEXT,
  updates_question    TEXT,
  updates_answer      TEXT,
  editor_id           INTEGER,               -- who pressed Edit: their reply is the corrected text
  created_by_id       INTEGER,
  created_by_name     TEXT,
  created_at          INTEGER NOT NULL,
  submitted_by_name   TEXT,                  -- who pressed Save under 'approve'
  decided_by_id       INTEGER,
  decided_by_name     TEXT,
  decided_at          INTEGER,
  chat_id             INTEGER,               -- the draft's message in the managers group
  telegram_message_id INTEGER,
  thread_id           INTEGER,
  digest_id           INTEGER REFERENCES learning_digests(id) ON DELETE SET NULL,
  updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX learned_items_tenant ON learned_items (tenant_id, status);
CREATE INDEX learned_items_message ON learned_items (chat_id, telegram_message_id) WHERE telegram_message_id IS NOT NULL;
-- A request's proposals are drawn once: a job that runs again after a crash finds them and adds none.
CREATE UNIQUE INDEX learned_items_proposal ON learned_items (handover_id, ordinal) WHERE origin = 'proposed';
-- At most one open Teach draft per request.
CREATE UNIQUE INDEX learned_items_open_draft ON learned_items (handover_id)
  WHERE origin = 'taught' AND status IN ('drafting', 'draft', 'refused', 'editing');
