-- Committed events without an id yet. A plain (consistent, READ COMMITTED) read: it sees only
-- committed rows and never waits for a writer still in its transaction; that writer's event is
-- published by a later round and so gets a later id.
SELECT seq
FROM events
WHERE id IS NULL
ORDER BY seq
LIMIT :limit
