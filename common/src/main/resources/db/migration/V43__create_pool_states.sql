-- Why: the schedulers put pools to sleep and wake them, level-triggered, as claimed work on the
-- one claim queue. Each pool gets a claimable row (any scheduler may reconcile any pool, one at a
-- time) that remembers the state last applied, so the hooks (webhooks, ArgoCD) run once per
-- change, and the ArgoCD sync policies saved before sleeping, so waking puts back exactly those.
-- The restore record (pool_suspensions, V41) learns whether the driver stopped the worker, how
-- often a step failed and why, and how the suspension ended: a worker that came back with another
-- host key is closed as untrusted and stays out. Pool events go to the one event log.
CREATE TABLE pool_states (
  id            BIGINT       AUTO_INCREMENT PRIMARY KEY,
  pool          VARCHAR(64)  NOT NULL,
  applied       VARCHAR(8)   NOT NULL DEFAULT 'awake',  -- awake | asleep: what was last applied
  applied_at    DATETIME(6)  NULL,
  argocd_saved  TEXT         NULL,   -- JSON {application: automated sync policy} removed before sleeping
  next_check_at DATETIME(6)  NOT NULL,
  claimed_by    VARCHAR(64)  NULL,
  claimed_until DATETIME(6)  NULL,
  UNIQUE KEY uq_pool_states_pool (pool),
  KEY ix_pool_states_due (next_check_at),
  CONSTRAINT ck_pool_states_applied CHECK (applied IN ('awake', 'asleep'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE pool_suspensions
  ADD COLUMN stopped_at DATETIME(6)  NULL,      -- the driver confirmed the worker stopped
  ADD COLUMN attempts   INT          NOT NULL DEFAULT 0,  -- failed driver or restore steps
  ADD COLUMN last_error VARCHAR(255) NULL,
  ADD COLUMN outcome    VARCHAR(16)  NULL,      -- resumed | untrusted, once resumed_at is set
  ADD CONSTRAINT ck_pool_suspensions_outcome CHECK (outcome IN ('resumed', 'untrusted'));

-- A pool's nodes are read by pool on every reconciliation.
ALTER TABLE nodes ADD KEY ix_nodes_pool (pool, status);

ALTER TABLE events
  ADD COLUMN pool VARCHAR(64) NULL,
  ADD KEY ix_events_pool (pool, seq),
  DROP CONSTRAINT ck_events_kind,
  ADD CONSTRAINT ck_events_kind CHECK (kind IN ('lease', 'node', 'pool'));
