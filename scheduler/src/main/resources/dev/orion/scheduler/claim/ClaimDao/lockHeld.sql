-- The fence of every completion: of the given rows, those whose claim is still ours and not yet
-- lapsed, locked until the completing transaction commits. A scheduler that hung past its claim
-- (paused, stalled on the network) finds its rows taken or lapsed here and completes nothing,
-- even though it still believes it holds them.
SELECT id
FROM <table>
WHERE id IN (<ids>)
  AND claimed_by = :me
  AND claimed_until > :now
FOR UPDATE
