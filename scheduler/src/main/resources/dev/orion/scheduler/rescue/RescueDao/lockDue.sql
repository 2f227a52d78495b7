-- Leases still provisioning long after their rent started: the API replica that began them died
-- between allocating the nodes and activating the leases (a live rent finishes or abandons within
-- its SSH timeouts, far below the bound). Nobody else will ever end them, and their nodes stay
-- allocated until this queue does. The (status, leased_until) index narrows the scan to the
-- provisioning leases, few at any time; no ORDER BY, for the reason given in ExpiryDao/lockDue.sql.
SELECT id
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status = 'provisioning'
  AND created_at <= :stuckBefore
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
