-- After a renewal that touched fewer rows than it was given: which of them are still ours (the
-- others lapsed or were completed meanwhile).
SELECT id
FROM <table>
WHERE id IN (<ids>)
  AND claimed_by = :me
  AND claimed_until = :until
