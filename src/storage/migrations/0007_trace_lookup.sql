-- botctl trace finds a message's jobs by trace id; without this index that is a scan of the jobs table.
CREATE INDEX jobs_trace ON jobs (trace_id) WHERE trace_id IS NOT NULL;
