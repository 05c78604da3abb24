-- The core data model: tenants, their channel accounts, contacts, messages, conversations and handovers.
-- Times are UTC epoch milliseconds. Secrets are AES-256-GCM sealed BLOBs (see src/security/secret-box.ts).

CREATE TABLE cell_meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;

CREATE TABLE tenants (
  id                 INTEGER PRIMARY KEY,
  slug               TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  locale             TEXT NOT NULL DEFAULT 'ru' CHECK (locale IN ('ru', 'kk', 'en')),
  timezone           TEXT NOT NULL,
  telegram_chat_id   INTEGER,
  owner_chat_id      INTEGER,
  business_hours     TEXT CHECK (business_hours IS NULL OR json_valid(business_hours)),
  remind_after_ms    INTEGER NOT NULL DEFAULT 300000,
  remind_every_ms    INTEGER NOT NULL DEFAULT 300000,
  remind_max         INTEGER NOT NULL DEFAULT 3,
  reply_timeout_ms   INTEGER NOT NULL DEFAULT 900000,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE channel_accounts (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  channel            TEXT NOT NULL CHECK (channel IN ('whatsapp', 'instagram', 'telegram')),
  external_id        TEXT NOT NULL,           -- WhatsApp: phone_number_id
  access_token_enc   BLOB,
  app_secret_enc     BLOB,
  status             TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'token_broken')),
  status_detail      TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (channel, external_id),
  UNIQUE (tenant_id, channel)
) STRICT;

CREATE TABLE contacts (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  channel_account_id INTEGER NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
  provider_id        TEXT NOT NULL,           -- WhatsApp: wa_id
  display_name       TEXT,
  phone              TEXT,
  locale             TEXT CHECK (locale IS NULL OR locale IN ('ru', 'kk', 'en')),
  metadata           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)), -- {summary, last_seen_at, …}
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (channel_account_id, provider_id)
) STRICT;
CREATE INDEX contacts_tenant ON contacts (tenant_id, id);

-- One conversation per contact; `state` is who owns it, changed only by the state machine in src/conversation/.
CREATE TABLE conversations (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id         INTEGER NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
  state              TEXT NOT NULL DEFAULT 'bot' CHECK (state IN ('bot', 'waiting', 'human')),
  handover_id        INTEGER REFERENCES handovers(id) ON DELETE SET NULL,
  state_changed_at   INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_tenant_state ON conversations (tenant_id, state);

CREATE TABLE handovers (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  conversation_id    INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  contact_id         INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  number             INTEGER NOT NULL,        -- the request number managers see, per tenant
  status             TEXT NOT NULL CHECK (status IN ('waiting', 'taken', 'resolved')),
  reason             TEXT NOT NULL,
  summary            TEXT,
  created_at         INTEGER NOT NULL,
  assigned_to_id     INTEGER,
  assigned_to_name   TEXT,
  taken_at           INTEGER,
  first_response_at  INTEGER,
  resolved_by_id     INTEGER,
  resolved_by_name   TEXT,
  resolved_at        INTEGER,
  telegram_chat_id   INTEGER,
  telegram_message_id INTEGER,
  telegram_thread_id INTEGER,
  updated_at         INTEGER NOT NULL,
  UNIQUE (tenant_id, number)
) STRICT;
CREATE INDEX handovers_open ON handovers (tenant_id, status, created_at) WHERE status <> 'resolved';
CREATE INDEX handovers_contact ON handovers (contact_id, created_at);

-- Every ownership transition: who, when and why.
CREATE TABLE handover_events (
  id                 INTEGER PRIMARY KEY,
  tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  handover_id        INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
  event              TEXT NOT NULL CHECK (event IN ('created', 'taken', 'released', 'reassigned', 'resolved')),
  from_state         TEXT NOT NULL,
  to_state           TEXT NOT NULL,
  actor_kind         TEXT NOT NULL CHECK (actor_kind IN ('bot', 'manager', 'operator', 'system')),
  actor_id           INTEGER,
  actor_name         TEXT,
  reason             TEXT,
  at                 INTEGER NOT NULL
) STRICT;
CREATE INDEX handover_events_handover ON handover_events (handover_id, at);

CREATE TABLE messages (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  channel_account_id  INTEGER NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
  contact_id          INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  handover_id         INTEGER REFERENCES handovers(id) ON DELETE SET NULL,
  direction           TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  author_kind         TEXT NOT NULL CHECK (author_kind IN ('customer', 'bot', 'manager', 'system')),
  author_id           INTEGER,
  author_name         TEXT,
  type                TEXT NOT NULL,          -- text, image, audio, location, … (channel-neutral)
  body                TEXT,                   -- the text the bot reads or the customer sees
  payload             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  provider_message_id TEXT,                   -- WhatsApp: wamid
  delivery_status     TEXT NOT NULL CHECK (delivery_status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  delivery_error      TEXT,
  outcome             TEXT CHECK (outcome IS NULL OR outcome IN ('replied', 'escalated', 'relayed', 'ignored', 'dead')),
  trace_id            TEXT NOT NULL,
  provider_timestamp  INTEGER,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  UNIQUE (channel_account_id, provider_message_id)
) STRICT;
CREATE INDEX messages_contact ON messages (contact_id, id);
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at);
CREATE INDEX messages_trace ON messages (trace_id);
