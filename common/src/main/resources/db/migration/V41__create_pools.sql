-- Why: pools sleep and wake. A pool's settings (how its workers are suspended, its grace period,
-- how long its users may wake it, its webhooks and ArgoCD applications), its manual overrides,
-- and the restore records of the workers it suspended live in the database, so that any
-- scheduler, restarted or not, wakes exactly the workers the pool put to sleep.
CREATE TABLE pools (
  name              VARCHAR(64)   PRIMARY KEY,
  driver            VARCHAR(16)   NOT NULL,
  grace_minutes     INT           NOT NULL,
  user_wake_minutes INT           NOT NULL,
  argocd_apps       VARCHAR(4096) NOT NULL DEFAULT '',  -- comma-separated application names
  updated_at        DATETIME(6)   NOT NULL,
  CONSTRAINT ck_pools_driver CHECK (driver IN ('sandbox', 'docker', 'command', 'none')),
  CONSTRAINT ck_pools_minutes CHECK (grace_minutes >= 0 AND user_wake_minutes >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE pool_webhooks (
  id     BIGINT AUTO_INCREMENT PRIMARY KEY,
  pool   VARCHAR(64)   NOT NULL,
  url    VARCHAR(2048) NOT NULL,
  secret VARCHAR(255)  NOT NULL,  -- signs each delivery (HMAC-SHA256); never shown again
  KEY ix_pool_webhooks_pool (pool)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Manual wakes and sleeps; each runs out by itself at `until`.
CREATE TABLE pool_overrides (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  pool       VARCHAR(64) NOT NULL,
  action     VARCHAR(8)  NOT NULL,
  created_at DATETIME(6) NOT NULL,
  until      DATETIME(6) NOT NULL,
  created_by VARCHAR(64) NOT NULL,  -- user:<name>
  KEY ix_pool_overrides_pool (pool, until),
  CONSTRAINT ck_pool_overrides_action CHECK (action IN ('wake', 'sleep')),
  CONSTRAINT ck_pool_overrides_until CHECK (until > created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The restore record: which node a pool suspended, by which driver, when, and when it came back.
CREATE TABLE pool_suspensions (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  pool         VARCHAR(64) NOT NULL,
  node_id      BIGINT      NOT NULL,
  driver       VARCHAR(16) NOT NULL,
  suspended_at DATETIME(6) NOT NULL,
  resumed_at   DATETIME(6) NULL,
  KEY ix_pool_suspensions_pool (pool, resumed_at),
  KEY ix_pool_suspensions_node (node_id, resumed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
