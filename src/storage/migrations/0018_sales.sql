-- What a tenant sells and the booking requests its customers make.
-- A service is what can be booked: a name the bot and the managers use, its duration and its price (as written by
-- the tenant, e.g. "15 000 ₸"; the facts guardrail treats it as knowledge).
CREATE TABLE sales_services (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  duration_min  INTEGER NOT NULL CHECK (duration_min > 0),
  price         TEXT,
  position      INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
) STRICT;

-- One row per booking request. state: requested (a manager decides) → confirmed | other_time | declined.
-- The bot never writes 'confirmed': only a manager's decision does (src/sales/booking-states.ts).
CREATE TABLE sales_bookings (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id       INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  service          TEXT NOT NULL,
  preferred_time   TEXT NOT NULL,
  customer_name    TEXT NOT NULL,
  locale           TEXT NOT NULL,
  state            TEXT NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'confirmed', 'other_time', 'declined')),
  created_at       INTEGER NOT NULL,
  decided_at       INTEGER,
  decided_by_id    INTEGER,
  decided_by_name  TEXT,
  card_chat_id     INTEGER,
  card_message_id  INTEGER,
  trace_id         TEXT
) STRICT;
CREATE INDEX sales_bookings_tenant ON sales_bookings (tenant_id, created_at);
CREATE INDEX sales_bookings_contact ON sales_bookings (tenant_id, contact_id, created_at);

-- The booking's audit trail: every state it went through, who moved it and when.
CREATE TABLE sales_booking_events (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  booking_id  INTEGER NOT NULL REFERENCES sales_bookings(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  state       TEXT NOT NULL,
  actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('bot', 'manager', 'operator')),
  actor_id    INTEGER,
  actor_name  TEXT
) STRICT;
CREATE INDEX sales_booking_events_booking ON sales_booking_events (booking_id, id);

-- When the appointment is, as a moment (the tenant's local date and time the model resolved, checked in code);
-- NULL when the customer gave none: then no reminders are scheduled.
ALTER TABLE sales_bookings ADD COLUMN appointment_at INTEGER;

-- A tenant's approved WhatsApp templates (registered by the operator after Meta approved them). purpose says what
-- the bot uses one for: 'reminder' (before an appointment, outside the 24-hour window), 'reengagement' (to reopen
-- the window when a manager's reply failed with 131047), or NULL (listed only).
CREATE TABLE whatsapp_templates (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  language    TEXT NOT NULL,
  params      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(params)),
  purpose     TEXT CHECK (purpose IN ('reminder', 'reengagement')),
  created_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name, language)
) STRICT;

-- Per-tenant sales settings; absent row = the defaults (reminders 24 h and 2 h before, memory kept until forgotten).
CREATE TABLE sales_settings (
  tenant_id          INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  reminder_offsets   TEXT NOT NULL DEFAULT '[86400000,7200000]' CHECK (json_valid(reminder_offsets)),
  -- How long a customer's memory (contacts.metadata.summary) is kept after it was last written; NULL = until forgotten.
  memory_retention_days INTEGER CHECK (memory_retention_days IS NULL OR memory_retention_days > 0),
  updated_at         INTEGER NOT NULL
) STRICT;

-- One row per reminder of a confirmed booking: sent_at is set in the transaction that queues the message, so a
-- reminder goes out exactly once whatever crashes or retries.
CREATE TABLE sales_reminders (
  id                   INTEGER PRIMARY KEY,
  tenant_id            INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  booking_id           INTEGER NOT NULL REFERENCES sales_bookings(id) ON DELETE CASCADE,
  offset_ms            INTEGER NOT NULL,
  due_at               INTEGER NOT NULL,
  sent_at              INTEGER,
  outcome              TEXT,                 -- 'text' | 'template' | 'skipped: …'
  outbound_message_id  INTEGER,
  UNIQUE (booking_id, offset_ms)
) STRICT;
CREATE INDEX sales_reminders_tenant ON sales_reminders (tenant_id, due_at);

-- A manager's message refused with 131047 (the 24-hour window closed), held after a manager sent the tenant's
-- re-engagement template: it is sent again, once, when the customer answers (released_at).
CREATE TABLE sales_held_messages (
  id                   INTEGER PRIMARY KEY,
  tenant_id            INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id           INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  message_id           INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
  template_message_id  INTEGER NOT NULL,
  held_by_name         TEXT,
  created_at           INTEGER NOT NULL,
  released_at          INTEGER,
  released_message_id  INTEGER
) STRICT;
CREATE INDEX sales_held_messages_contact ON sales_held_messages (tenant_id, contact_id, released_at);

-- Offers a tenant lets the bot propose: when it fits (in words the model reads) and the exact text. The bot may
-- quote one at most once per conversation; offered/accepted are counted in sales_offer_events.
CREATE TABLE sales_offers (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  when_text   TEXT NOT NULL,
  text        TEXT NOT NULL,
  service     TEXT,                        -- a booking of this service after the offer counts as accepted
  created_at  INTEGER NOT NULL,
  removed_at  INTEGER
) STRICT;
CREATE INDEX sales_offers_tenant ON sales_offers (tenant_id, removed_at);

CREATE TABLE sales_offer_events (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  offer_id    INTEGER NOT NULL REFERENCES sales_offers(id) ON DELETE CASCADE,
  contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('offered', 'accepted')),
  at          INTEGER NOT NULL,
  booking_id  INTEGER
) STRICT;
CREATE INDEX sales_offer_events_contact ON sales_offer_events (tenant_id, contact_id, at);
