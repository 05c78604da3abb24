-- Lanes, fair claiming and rate budgets (src/jobs/kind-table.ts, JobStore.claim, src/jobs/budgets.ts).
-- `lane` is the capacity class of a job's kind (the worker's kind table names it; a job enqueued by a process without
-- that table, e.g. the CLI, has none until the next runner pass gives it one). `fair_at` orders claiming inside a lane:
-- a tenant's jobs are spaced on a per-tenant clock (job_fair_clock), so one tenant's backlog of thousands of due jobs
-- interleaves with every other tenant's jobs instead of standing in front of them.
ALTER TABLE jobs ADD COLUMN lane TEXT;
ALTER TABLE jobs ADD COLUMN fair_at INTEGER;
UPDATE jobs SET fair_at = run_at WHERE state = 'pending';
CREATE INDEX jobs_fair ON jobs (lane, fair_at, id) WHERE state = 'pending';
CREATE INDEX jobs_unlaned ON jobs (id) WHERE state = 'pending' AND lane IS NULL;
-- Claiming reads jobs_fair now; the by-kind order of 0010 has no reader left and costs every insert.
DROP INDEX IF EXISTS jobs_due_by_kind;

-- The last fair_at given to a tenant's due job in a lane (tenant_id 0: jobs of no tenant).
CREATE TABLE job_fair_clock (
  tenant_id  INTEGER NOT NULL,
  lane       TEXT NOT NULL,
  last_fair  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, lane)
) STRICT, WITHOUT ROWID;

-- One row per rate-limited destination (a Telegram group, a WhatsApp number, a customer pair): the generic cell rate
-- algorithm's theoretical arrival time, and a block a 429 / Graph 130429 put on it. Kept in the database so a
-- restarted worker does not spend a budget its predecessor already spent.
-- `waiting` / `waiting_since`: jobs sent back to wait for this budget now, and since when the oldest of them waits
-- (the runner writes them about once a second); `botctl status`, /metrics and `botctl watch` read them.
CREATE TABLE rate_budgets (
  key            TEXT PRIMARY KEY,
  tat            INTEGER NOT NULL,
  blocked_until  INTEGER NOT NULL DEFAULT 0,
  waiting        INTEGER NOT NULL DEFAULT 0,
  waiting_since  INTEGER,
  updated_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX rate_budgets_waiting ON rate_budgets (waiting_since) WHERE waiting > 0;

-- The desk's digest of a managers group (src/desk/jobs/digest.ts): when the group's rate budget cannot post every new
-- card within a minute, the waiting requests are listed on digest pages (one Telegram message each, edited in place)
-- until their own cards follow. A line stays on its page once listed.
CREATE TABLE desk_digest_pages (
  id                   INTEGER PRIMARY KEY,
  tenant_id            INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  chat_id              INTEGER,            -- where it was posted; null until it is
  telegram_message_id  INTEGER,
  thread_id            INTEGER,
  dirty                INTEGER NOT NULL DEFAULT 1, -- lines changed since it was last drawn
  created_at           INTEGER NOT NULL,
  drawn_at             INTEGER
) STRICT;
CREATE INDEX desk_digest_pages_tenant ON desk_digest_pages (tenant_id, dirty, id);
CREATE TABLE desk_digest_lines (
  handover_id  INTEGER PRIMARY KEY REFERENCES handovers(id) ON DELETE CASCADE,
  page_id      INTEGER NOT NULL REFERENCES desk_digest_pages(id) ON DELETE CASCADE,
  listed_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX desk_digest_lines_page ON desk_digest_lines (page_id);
