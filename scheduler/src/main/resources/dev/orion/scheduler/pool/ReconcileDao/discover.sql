-- Every pool anyone named (a worker's ORION_POOL, the admin's settings, a schedule) gets its
-- reconciliation row, due at once. INSERT IGNORE: schedulers discovering the same new pool at the
-- same moment both succeed, one of them inserting. Run at READ COMMITTED, so the SELECT takes no
-- shared locks on the nodes it reads (heartbeats and rents keep writing them).
INSERT IGNORE INTO pool_states (pool, next_check_at)
SELECT k.pool, :now
FROM (SELECT DISTINCT pool FROM nodes
      UNION SELECT name FROM pools
      UNION SELECT pool FROM pool_schedules) k
WHERE NOT EXISTS (SELECT 1 FROM pool_states s WHERE s.pool = k.pool)
