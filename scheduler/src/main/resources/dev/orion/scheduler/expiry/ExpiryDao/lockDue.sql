-- Live leases past their end that nobody holds (never claimed, or the claim lapsed because its
-- scheduler died or hung). SKIP LOCKED lets concurrent schedulers take disjoint batches without
-- waiting for each other. No ORDER BY on purpose: the (status, leased_until) index already yields
-- the rows in due order per status, and a sort would read and lock every due row before LIMIT
-- applies, so one scheduler would hold the whole queue while the others skip it.
-- FORCE INDEX: when most rows are due (a backlog) the optimizer prefers a table scan, which
-- under FOR UPDATE reads and locks every ended lease in front of the live ones on every claim.
SELECT id
FROM rentals FORCE INDEX (ix_rentals_due)
WHERE status IN ('active', 'migrating')
  AND leased_until <= :now
  AND kind = 'client'  -- a job's internal lease has no end time: the job loop ends it with its attempt
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
