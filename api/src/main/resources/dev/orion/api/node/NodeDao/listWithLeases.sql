-- Every node but the forgotten ones (kept only as their leases' history), with its live lease (if any: a client's, or
-- a job attempt's internal lease, owned by the job's owner) and its load: the heartbeat-derived class from
-- node_load, and the class of the most severe Alertmanager alert firing about it, which wins over
-- the heartbeats' while it fires (the earliest such alert's start is its "since").
SELECT n.id, n.hostname, n.ip, n.ssh_port, n.host_key_fingerprint, n.pool, n.labels, n.status,
       n.allocated, n.clean, n.last_seen_at,
       r.id AS rental_id, COALESCE(j.user_id, r.user_id) AS rental_user_id, u.username AS rental_username, r.client_user,
       r.status AS rental_status, r.leased_until, r.kind AS lease_kind, ja.job_id AS lease_job_id,
       l.cpu_percent AS load_cpu_percent, l.mem_percent AS load_mem_percent, l.load_class,
       l.class_since AS load_class_since, l.source AS load_source,
       a.load_class AS alert_class, a.starts_at AS alert_since
FROM nodes n
LEFT JOIN rentals r ON r.live_node_id = n.id
LEFT JOIN job_attempts ja ON r.kind = 'job' AND ja.lease_id = r.id
LEFT JOIN jobs j ON j.id = ja.job_id
LEFT JOIN users u ON u.id = COALESCE(j.user_id, r.user_id)
LEFT JOIN node_load l ON l.node_id = n.id
LEFT JOIN (
  SELECT node_id,
         ELT(MAX(FIELD(load_class, 'low', 'moderate', 'high')), 'low', 'moderate', 'high') AS load_class,
         MIN(starts_at) AS starts_at
  FROM node_alert_classes
  WHERE load_class IS NOT NULL
  GROUP BY node_id
) a ON a.node_id = n.id
WHERE n.status <> 'forgotten'
ORDER BY n.id
