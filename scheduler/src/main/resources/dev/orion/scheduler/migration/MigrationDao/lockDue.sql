-- Leases waiting to move off a dead node that nobody holds. A lease already over is left to the
-- expiry loop (which frees any node reserved for it); moving it would be wasted work.
SELECT id
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status = 'migrating'
  AND leased_until > :now
  AND kind = 'client'  -- a job's internal lease never migrates (health leaves it active; its attempt is lost)
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
