-- WhatsApp customers who adopt a username may withhold their phone number: Meta then names them by a
-- business-scoped user id (BSUID, `KZ.1502576394655843`). A contact is found by whichever identity arrives and
-- stays one contact when the other appears later (src/storage/intake-store.ts). `provider_id` stays the address
-- replies go to: the phone number when known, else the BSUID.
ALTER TABLE contacts ADD COLUMN user_id TEXT;
CREATE UNIQUE INDEX contacts_user_id ON contacts (channel_account_id, user_id) WHERE user_id IS NOT NULL;

-- Parts of signed webhook deliveries that could not be stored (unreadable, nested too deep, …): answered 200 so
-- Meta does not redeliver them for days, and kept here for support. `tenant_id` is null when no tenant matched.
CREATE TABLE webhook_rejections (
  id                  INTEGER PRIMARY KEY,
  tenant_id           INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
  channel             TEXT NOT NULL,
  path                TEXT NOT NULL,
  reason              TEXT NOT NULL,
  provider_message_id TEXT,
  body_sha256         TEXT NOT NULL,
  body_bytes          INTEGER NOT NULL,
  created_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_rejections_tenant ON webhook_rejections (tenant_id, created_at);

-- A managers' group belongs to one tenant: a second tenant's customers would land in the first business's group.
-- A trigger, not a unique index, so a cell that already has a shared group still migrates (`botctl doctor` and
-- `tenant update` name it); no new sharing can be written.
CREATE TRIGGER tenants_telegram_chat_unique_insert BEFORE INSERT ON tenants
  WHEN NEW.telegram_chat_id IS NOT NULL AND EXISTS (SELECT 1 FROM tenants WHERE telegram_chat_id = NEW.telegram_chat_id)
BEGIN
  SELECT RAISE(ABORT, 'telegram_chat_id already belongs to another tenant');
END;
CREATE TRIGGER tenants_telegram_chat_unique_update BEFORE UPDATE OF telegram_chat_id ON tenants
  WHEN NEW.telegram_chat_id IS NOT NULL AND EXISTS (SELECT 1 FROM tenants WHERE telegram_chat_id = NEW.telegram_chat_id AND id <> NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'telegram_chat_id already belongs to another tenant');
END;
