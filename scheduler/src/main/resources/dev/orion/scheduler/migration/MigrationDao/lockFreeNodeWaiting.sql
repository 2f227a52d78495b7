-- lockFreeNode.sql when it found nothing while the pool does have rentable nodes: all of them were
-- locked at that moment, by a health round writing its verdicts, a rent or another migration
-- choosing. Waits for the first one's lock (at most waitSeconds; a lock wait timeout is an error the
-- caller takes for "none"), then takes it if it is still rentable, else goes on to the next; a
-- node a rent or migration took meanwhile is allocated by then and does not match.
SELECT id
FROM nodes FORCE INDEX (ix_nodes_free)
WHERE status = 'alive'
  AND allocated = 0
  AND clean = 1
  AND pool = :pool
ORDER BY id
LIMIT 1
FOR UPDATE WAIT <waitSeconds>
