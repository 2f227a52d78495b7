-- Cron jobs due for a look (a fire time reached, an unfinished job to follow for the history
-- limits, or just created or edited by the API) that nobody holds. The scan follows
-- ix_scheduled_jobs_due, so LIMIT stops it early and only the rows returned stay locked; SKIP
-- LOCKED lets the other schedulers take the next ones meanwhile, so 1,000 cron jobs due in the
-- same minute are spread over every scheduler rather than handled by one.
SELECT id
FROM scheduled_jobs FORCE INDEX (ix_scheduled_jobs_due)
WHERE next_check_at <= :now
  AND (claimed_until IS NULL OR claimed_until <= :now)
ORDER BY next_check_at
LIMIT :limit
FOR UPDATE SKIP LOCKED
