-- Alive, unallocated nodes that may still hold a client user (a release or expiry could not
-- delete it, or the node came back from the dead). Nobody can rent them until this loop has
-- removed every client user and set clean = 1.
SELECT id
FROM nodes FORCE INDEX (ix_nodes_free)
WHERE status = 'alive'
  AND allocated = 0
  AND clean = 0
  AND (claimed_until IS NULL OR claimed_until <= :now)
LIMIT :limit
FOR UPDATE SKIP LOCKED
