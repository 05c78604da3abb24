-- The durable jobs queue (src/jobs/): at-least-once, leased, serial per concurrency key.
CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL,
  tenant_id        INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
  payload          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  concurrency_key  TEXT,                      -- jobs with the same key never run at once, and run in id order
  unique_key       TEXT,                      -- a pending job with the same key is replaced, not duplicated
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  run_at           INTEGER NOT NULL,
  locked_until     INTEGER,
  locked_by        TEXT,
  last_error       TEXT,
  trace_id         TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  finished_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key) WHERE state = 'pending';
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_by_key ON jobs (concurrency_key, state, id) WHERE concurrency_key IS NOT NULL;
CREATE INDEX jobs_leases ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (state, finished_at) WHERE state IN ('done', 'dead');
CREATE INDEX jobs_tenant ON jobs (tenant_id, state);
