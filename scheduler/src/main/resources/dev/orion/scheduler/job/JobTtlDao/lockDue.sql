-- Finished jobs whose ttl_seconds_after_finished has run out (expires_at, V67, is NULL for the
-- others), that nobody holds. The ix_jobs_expires range scan stops at LIMIT and locks only the
-- rows returned; SKIP LOCKED spreads them over the schedulers.
SELECT id
FROM jobs FORCE INDEX (ix_jobs_expires)
WHERE expires_at <= :now
  AND status IN ('succeeded', 'failed', 'cancelled')
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
