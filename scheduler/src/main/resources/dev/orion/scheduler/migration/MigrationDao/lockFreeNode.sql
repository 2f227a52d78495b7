-- One rentable node of the lease's pool, exactly what the API's rent would pick: alive,
-- unallocated, clean. <lock> is SKIP LOCKED, so a concurrent rent or migration takes a different
-- one, or WAIT n for the first one's lock when every rentable node was locked at that moment; the
-- (status, allocated, clean, id) index keeps the scan in id order and stops at the first match.
SELECT id
FROM nodes FORCE INDEX (ix_nodes_free)
WHERE status = 'alive'
  AND allocated = 0
  AND clean = 1
  AND pool = :pool
ORDER BY id
LIMIT 1
FOR UPDATE <lock>
