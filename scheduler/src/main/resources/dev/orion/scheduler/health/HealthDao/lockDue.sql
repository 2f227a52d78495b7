-- Nodes due for a health check that nobody holds (never claimed, or the claim lapsed because its
-- scheduler died or hung). Suspended nodes are an operator's business and are not probed;
-- forgotten nodes are history (their rows stay for their leases) and never probed again.
-- The scan follows ix_nodes_check_due, so LIMIT stops it early and only the rows returned stay
-- locked; SKIP LOCKED lets other schedulers take the next ones meanwhile.
SELECT id
FROM nodes FORCE INDEX (ix_nodes_check_due)
WHERE next_check_at <= :now
  AND status NOT IN ('suspended', 'forgotten')
  AND (claimed_until IS NULL OR claimed_until <= :now)
ORDER BY next_check_at
LIMIT :limit
FOR UPDATE SKIP LOCKED
