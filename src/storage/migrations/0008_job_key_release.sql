-- Enqueueing a job with a unique key first clears that key from the running and finished jobs that still hold it
-- (JobStore.enqueue). Without this index that is a scan of the whole jobs table on every debounced webhook: at
-- 30,000 finished jobs it took more CPU than the rest of the intake together.
CREATE INDEX jobs_unique_held ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state <> 'pending';
