-- Lets go of claims without completing the work (it failed and is retried next round); rows
-- another scheduler took over are left alone. claimed_by stays as a trace of who last held them.
UPDATE <table>
SET claimed_until = NULL
WHERE id IN (<ids>)
  AND claimed_by = :me
