-- Work that is due and unclaimed, per claim queue: the same conditions as each queue's
-- lockDue.sql, counted instead of locked (no FOR UPDATE, no LIMIT), so a scrape never takes a
-- lock or waits for one. A queue whose depth stays above zero is not being drained.
SELECT 'health' AS queue, COUNT(*) AS depth
FROM nodes FORCE INDEX (ix_nodes_check_due)
WHERE next_check_at <= :now
  AND status NOT IN ('suspended', 'forgotten')
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'scrub', COUNT(*)
FROM nodes FORCE INDEX (ix_nodes_free)
WHERE status = 'alive'
  AND allocated = 0
  AND clean = 0
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'expiry', COUNT(*)
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status IN ('active', 'migrating')
  AND leased_until <= :now
  AND kind = 'client'
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'migration', COUNT(*)
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status = 'migrating'
  AND leased_until > :now
  AND kind = 'client'
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'rescue', COUNT(*)
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status = 'provisioning'
  AND created_at <= :stuckBefore
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'pool', COUNT(*)
FROM pool_states FORCE INDEX (ix_pool_states_due)
WHERE next_check_at <= :now
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'cron', COUNT(*)
FROM scheduled_jobs FORCE INDEX (ix_scheduled_jobs_due)
WHERE next_check_at <= :now
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'job-ttl', COUNT(*)
FROM jobs FORCE INDEX (ix_jobs_expires)
WHERE expires_at <= :now
  AND status IN ('succeeded', 'failed', 'cancelled')
  AND (claimed_until IS NULL OR claimed_until <= :now)
UNION ALL
SELECT 'jobs', COUNT(*)
FROM jobs FORCE INDEX (ix_jobs_due)
WHERE ((status = 'pending' AND due_at <= :now) OR status = 'running')
  AND (claimed_until IS NULL OR claimed_until <= :now)
