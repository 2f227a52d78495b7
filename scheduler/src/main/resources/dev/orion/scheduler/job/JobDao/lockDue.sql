-- Jobs whose next attempt may start (pending, due_at passed: first run, back-off over, placement
-- retried) and running jobs nobody holds: the scheduler watching the attempt died or hung, or let
-- go at shutdown, and another one adopts the running process (it never starts it again: the
-- attempt's run directory on the worker is the start's latch). Both are ranges of the
-- (status, due_at) index; no ORDER BY, for the reason given in ExpiryDao/lockDue.sql.
SELECT id
FROM jobs FORCE INDEX (ix_jobs_due)
WHERE ((status = 'pending' AND due_at <= :now) OR status = 'running')
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
