-- Pushes out the claims a scheduler still works on, so work longer than the claim timeout (a slow
-- worker command) is never taken over while it runs. Only claims not yet lapsed are renewed: once
-- a claim has lapsed another scheduler may own the row, and a lapsed claim stays lost.
UPDATE <table>
SET claimed_until = :until
WHERE id IN (<ids>)
  AND claimed_by = :me
  AND claimed_until > :now
