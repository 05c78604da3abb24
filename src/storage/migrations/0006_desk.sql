-- The managers' desk in Telegram: where each handover lives in the group, the bot's standing in each group,
-- reminders, and the Telegram updates already handled (so a restart never applies a press or a reply twice).

ALTER TABLE tenants ADD COLUMN telegram_status TEXT NOT NULL DEFAULT 'ok' CHECK (telegram_status IN ('ok', 'removed', 'forbidden'));
ALTER TABLE tenants ADD COLUMN telegram_status_detail TEXT;
ALTER TABLE tenants ADD COLUMN telegram_is_forum INTEGER CHECK (telegram_is_forum IS NULL OR telegram_is_forum IN (0, 1));

ALTER TABLE handovers ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE handovers ADD COLUMN escalated_at INTEGER;      -- when untaken reminders ran out and the owner/on-call were told

-- Every Telegram message the desk posted or received that belongs to a handover.
CREATE TABLE desk_messages (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  handover_id         INTEGER REFERENCES handovers(id) ON DELETE CASCADE,
  chat_id             INTEGER NOT NULL,
  telegram_message_id INTEGER NOT NULL,
  thread_id           INTEGER,
  kind                TEXT NOT NULL CHECK (kind IN ('card', 'relay', 'reminder', 'notice', 'manager', 'status')),
  message_id          INTEGER REFERENCES messages(id) ON DELETE SET NULL, -- the customer or manager message it carries
  created_at          INTEGER NOT NULL,
  UNIQUE (chat_id, telegram_message_id)
) STRICT;
CREATE INDEX desk_messages_handover ON desk_messages (handover_id, kind);
CREATE INDEX desk_messages_message ON desk_messages (message_id);

CREATE TABLE telegram_updates (
  update_id  INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX telegram_updates_at ON telegram_updates (at);

CREATE INDEX handovers_thread ON handovers (telegram_chat_id, telegram_thread_id) WHERE telegram_thread_id IS NOT NULL;
