-- A completion's fence (the conditions of the scheduler's ClaimDao/lockHeld.sql: the claim still
-- ours and not lapsed) and the lease lock the store decides on, in one statement: the rows come
-- back locked until the completing transaction commits, as the transition needs them. A scheduler
-- that hung past its claim finds its rows taken or lapsed here and ends nothing. ORDER BY id: the
-- order every writer locks leases in.
SELECT id, node_id, target_node_id, status, client_user, created_at, leased_until, claimed_by, claimed_until
FROM rentals
WHERE id IN (<ids>)
  AND claimed_by = :me
  AND claimed_until > :now
ORDER BY id
FOR UPDATE
