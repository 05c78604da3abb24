-- What `botctl trace` reads: one row per step of a message's path (webhook, job, LLM, guardrail, send, status).
CREATE TABLE trace_events (
  id           INTEGER PRIMARY KEY,
  tenant_id    INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
  trace_id     TEXT NOT NULL,
  at           INTEGER NOT NULL,
  step         TEXT NOT NULL,                 -- e.g. webhook.received, job.claimed, llm.call, reply.sent
  outcome      TEXT NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'error', 'skipped', 'vetoed')),
  duration_ms  INTEGER,
  message_id   INTEGER,
  job_id       INTEGER,
  detail       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX trace_events_trace ON trace_events (trace_id, at, id);
CREATE INDEX trace_events_at ON trace_events (at);

-- Operator actions. No foreign key: the record of a removed tenant outlives it.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,                 -- OS user that ran botctl
  action       TEXT NOT NULL,                 -- e.g. tenant.add, tenant.update, jobs.retry
  tenant_id    INTEGER,
  tenant_slug  TEXT,
  detail       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at);
