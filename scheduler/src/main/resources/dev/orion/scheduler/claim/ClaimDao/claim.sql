-- Records the claim on rows the same transaction just locked with a queue's lockDue query
-- (FOR UPDATE SKIP LOCKED), so once it commits other schedulers' lockDue skip them until
-- claimed_until passes (or the claim is released).
UPDATE <table>
SET claimed_by = :me,
    claimed_until = :until
WHERE id IN (<ids>)
