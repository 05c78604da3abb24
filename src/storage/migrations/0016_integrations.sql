-- Integrations: outbound signed webhooks per tenant (endpoints, the events they receive, a delivery log) and the
-- CRM connections (amoCRM, Bitrix24) with the link of each contact to its CRM records. Secrets are sealed BLOBs.

CREATE TABLE webhook_endpoints (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url                   TEXT NOT NULL,
  events                TEXT NOT NULL CHECK (json_valid(events)),   -- JSON array of event types
  secret_enc            BLOB NOT NULL,
  previous_secret_enc   BLOB,                                       -- still signed with until previous_expires_at
  previous_expires_at   INTEGER,
  status                TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failing')),
  status_detail         TEXT,
  status_changed_at     INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id);

-- One row per event an integration follows, with its versioned payload as sent (a snapshot at the time of the cause).
CREATE TABLE integration_events (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id            INTEGER,
  type                  TEXT NOT NULL,
  payload               TEXT NOT NULL CHECK (json_valid(payload)),
  created_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX integration_events_tenant ON integration_events (tenant_id, id);
CREATE INDEX integration_events_created ON integration_events (created_at);

CREATE TABLE webhook_deliveries (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  endpoint_id           INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id              INTEGER NOT NULL REFERENCES integration_events(id) ON DELETE CASCADE,
  state                 TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts              INTEGER NOT NULL DEFAULT 0,
  last_status           INTEGER,                                    -- the receiver's HTTP status, null when none
  last_error            TEXT,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  delivered_at          INTEGER
) STRICT;
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE crm_connections (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider              TEXT NOT NULL CHECK (provider IN ('amocrm', 'bitrix24')),
  settings              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)), -- subdomain, api url, pipeline…
  secret_enc            BLOB NOT NULL,                               -- amoCRM token or Bitrix24 webhook URL
  status                TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'broken')),
  status_detail         TEXT,
  status_changed_at     INTEGER,
  held_from_event_id    INTEGER,                                     -- first event not sent while broken: resent once fixed
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  UNIQUE (tenant_id, provider)
) STRICT;

-- Where a contact lives in a CRM. Stored right after the CRM created it; a retry searches by phone before creating.
CREATE TABLE crm_links (
  id                    INTEGER PRIMARY KEY,
  tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  provider              TEXT NOT NULL CHECK (provider IN ('amocrm', 'bitrix24')),
  contact_id            INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  external_contact_id   TEXT,
  entity_type           TEXT NOT NULL CHECK (entity_type IN ('lead', 'contact')), -- what notes are added to
  entity_id             TEXT NOT NULL,
  created_at            INTEGER NOT NULL,
  UNIQUE (provider, contact_id)
) STRICT;
CREATE INDEX crm_links_tenant ON crm_links (tenant_id);
