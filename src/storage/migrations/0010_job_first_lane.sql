-- Due jobs by kind, so the runner can claim the kinds that finish work a customer or a manager is waiting for (a
-- reply already written, a card for a handover) before the oldest due jobs of other kinds (JobStore.claim). Without
-- it, a reply waits behind every answer job of a backlog that became due before it.
CREATE INDEX jobs_due_by_kind ON jobs (kind, run_at, id) WHERE state = 'pending';
