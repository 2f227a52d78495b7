-- Why: pools sleep off-hours on a schedule. One schedule per pool, kept as its author wrote it
-- (cleaned and validated): cron start/stop expressions or working hours with holidays, never
-- both, and neither once its crons are removed (NOT_SCHEDULED). The API computes the next
-- transitions from it and the schedulers the desired state, with the same code.
CREATE TABLE pool_schedules (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  name        VARCHAR(64)   NOT NULL,
  pool        VARCHAR(64)   NOT NULL,
  cron_start  VARCHAR(255)  NULL,
  cron_stop   VARCHAR(255)  NULL,
  uptime      VARCHAR(1024) NULL,                 -- e.g. 'Mon-Fri 08:00-19:00, Sat 10:00-14:00'
  holidays    VARCHAR(4096) NOT NULL DEFAULT '',  -- comma-separated ISO dates, asleep all day
  timezone    VARCHAR(64)   NOT NULL DEFAULT 'UTC',
  active      BOOLEAN       NOT NULL DEFAULT TRUE,
  created_at  DATETIME(6)   NOT NULL,
  last_update DATETIME(6)   NOT NULL,
  UNIQUE KEY uq_pool_schedules_pool (pool),
  CONSTRAINT ck_pool_schedules_crons CHECK ((cron_start IS NULL) = (cron_stop IS NULL)),
  CONSTRAINT ck_pool_schedules_one_kind CHECK (cron_start IS NULL OR uptime IS NULL)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
