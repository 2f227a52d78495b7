-- Pools due for reconciliation that nobody holds. Few rows (one per pool), scanned by due time
-- with ix_pool_states_due so LIMIT stops early; SKIP LOCKED spreads pools over the schedulers.
SELECT id
FROM pool_states FORCE INDEX (ix_pool_states_due)
WHERE next_check_at <= :now
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
