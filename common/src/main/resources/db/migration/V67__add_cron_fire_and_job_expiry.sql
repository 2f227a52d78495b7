-- Why: a cron job's fire is not always a job. A fire skipped (Forbid with a job still running, the
-- cron job suspended) or missed (older than starting_deadline_seconds) must count as dealt with, or
-- every later look at the cron job would find the same time due again (and log it again), and a
-- skipped run would start late once the running job ends. last_scheduled_at keeps its meaning (the
-- latest time a job was created for, as Kubernetes' lastScheduleTime); last_fire_at is the latest
-- fire time handled in any way, and only times after it are due.
ALTER TABLE scheduled_jobs
  ADD COLUMN last_fire_at DATETIME(6) NULL AFTER last_scheduled_at;

-- Why: a finished job with ttl_seconds_after_finished is deleted that long after it finished.
-- The deletion time as a stored column with its own index lets the cleanup queue find the due
-- rows by an index range (LIMIT stops early, SKIP LOCKED spreads them) instead of scanning every
-- finished job on each round. NULL (never deleted) while the job runs or when it has no TTL.
ALTER TABLE jobs
  ADD COLUMN expires_at DATETIME(6) AS (finished_at + INTERVAL ttl_seconds_after_finished SECOND) STORED,
  ADD KEY ix_jobs_expires (expires_at);
