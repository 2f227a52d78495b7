-- Appends without an id: the id is given when the event is published (see publish in EventLog).
INSERT INTO events (kind, at, actor, lease_id, node_id, from_status, to_status, from_node_id, to_node_id, reason, pool,
                    job_id, scheduled_id)
VALUES (:kindDb, :at, :actor, :leaseId, :nodeId, :fromStatus, :toStatus, :fromNodeId, :toNodeId, :reason, :pool,
        :jobId, :scheduledId)
