-- Why: any number of equal schedulers share their work through this database. Every unit of work
-- (a node's health check or scrub, a lease's expiry or migration) is claimed with
-- SELECT ... FOR UPDATE SKIP LOCKED plus a claim record (claimed_by, claimed_until), so a scheduler
-- that dies or hangs delays its work by at most the claim timeout. The health checker keeps its
-- memory here (failure count, last probe, agent heartbeat, why a node was spared) so that any
-- instance can take a node's next check where another one left off.

ALTER TABLE nodes
  ADD COLUMN claimed_by        VARCHAR(64)  NULL,
  ADD COLUMN claimed_until     DATETIME(6)  NULL,
  -- The epoch default makes a newly registered node due for its first check at once.
  ADD COLUMN next_check_at     DATETIME(6)  NOT NULL DEFAULT '1970-01-01 00:00:00',
  ADD COLUMN probe_failures    INT          NOT NULL DEFAULT 0,   -- consecutive failed SSH probes
  ADD COLUMN last_probe_at     DATETIME(6)  NULL,
  ADD COLUMN last_probe_error  VARCHAR(255) NULL,
  ADD COLUMN status_changed_at DATETIME(6)  NULL,
  -- Agent heartbeats (POST /api/workers/heartbeat), the second liveness signal.
  ADD COLUMN last_heartbeat_at DATETIME(6)  NULL,
  ADD COLUMN cpu_percent       DOUBLE       NULL,
  ADD COLUMN mem_percent       DOUBLE       NULL,
  -- Set when a node had failed enough probes to be declared dead but was kept suspect instead
  -- (fresh heartbeat, most of the fleet failing at once, the scheduler's database stalled).
  ADD COLUMN spared_at         DATETIME(6)  NULL,
  ADD COLUMN spared_reason     VARCHAR(255) NULL,
  ADD KEY ix_nodes_check_due (next_check_at);

ALTER TABLE rentals
  ADD COLUMN claimed_by     VARCHAR(64) NULL,
  ADD COLUMN claimed_until  DATETIME(6) NULL,
  -- A free node reserved (allocated) for a migration in flight, so a scheduler that dies between
  -- reserving it and finishing the move leaves a record, and the next one reuses the same node.
  ADD COLUMN target_node_id BIGINT      NULL;
