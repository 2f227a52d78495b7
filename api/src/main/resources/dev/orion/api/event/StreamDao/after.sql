-- Published events after :after in id order, with the account each concerns (the lease's, the
-- job's or the cron job's owner), so the stream can decide who sees what without a query per
-- subscriber. Unpublished rows (id NULL) are not > anything and so never read.
SELECT e.id, e.kind, e.at, e.lease_id, e.node_id, e.job_id, e.scheduled_id, e.pool,
       e.from_status, e.to_status, e.from_node_id, e.to_node_id, e.reason,
       r.user_id AS lease_user, j.user_id AS job_user, s.user_id AS schedule_user
FROM events e
LEFT JOIN rentals r ON r.id = e.lease_id
LEFT JOIN jobs j ON j.id = e.job_id
LEFT JOIN scheduled_jobs s ON s.id = e.scheduled_id
WHERE e.id > :after
ORDER BY e.id
LIMIT :limit
