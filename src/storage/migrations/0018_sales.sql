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
