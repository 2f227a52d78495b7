-- Why: users run batch work on workers: run-once jobs and cron jobs (SimpleJob-compatible), with
-- Kubernetes' retry and schedule semantics. Both are claimed work on the one claim queue:
-- a jobs row is due when its next attempt may start (due_at) or when the scheduler watching its
-- running attempt stopped renewing the claim (another one adopts the running process, it never
-- starts it again); a scheduled_jobs row is due at its next fire time. A job takes its worker
-- through an internal lease (rentals.kind = 'job') so the lease store's allocation, dirty ->
-- clean path and one-live-lease-per-node guarantee hold for jobs as for rents. Job and schedule
-- transitions go to the one event log.

CREATE TABLE scheduled_jobs (
  id                            BIGINT       AUTO_INCREMENT PRIMARY KEY,
  user_id                       BIGINT       NOT NULL,
  name                          VARCHAR(63)  NOT NULL,
  pool                          VARCHAR(64)  NOT NULL,
  spec                          TEXT         NOT NULL,  -- JSON: steps [{name, command, image}], env, max_retries, timeout_seconds, ttl_seconds_after_finished
  cron                          VARCHAR(255) NOT NULL,  -- 5 fields, UNIX (cron-utils)
  timezone                      VARCHAR(64)  NOT NULL DEFAULT 'UTC',
  concurrency_policy            VARCHAR(8)   NOT NULL DEFAULT 'Allow',
  starting_deadline_seconds     INT          NULL,
  suspend                       BOOLEAN      NOT NULL DEFAULT FALSE,
  successful_jobs_history_limit INT          NOT NULL DEFAULT 3,
  failed_jobs_history_limit     INT          NOT NULL DEFAULT 1,
  created_at                    DATETIME(6)  NOT NULL,
  updated_at                    DATETIME(6)  NOT NULL,
  last_scheduled_at             DATETIME(6)  NULL,      -- the latest fire time a job was created for
  next_check_at                 DATETIME(6)  NOT NULL,  -- when a scheduler should look at it again
  claimed_by                    VARCHAR(64)  NULL,
  claimed_until                 DATETIME(6)  NULL,
  KEY ix_scheduled_jobs_user (user_id, id),
  KEY ix_scheduled_jobs_due (next_check_at),
  CONSTRAINT fk_scheduled_jobs_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT ck_scheduled_jobs_policy CHECK (concurrency_policy IN ('Allow', 'Forbid', 'Replace'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE jobs (
  id                         BIGINT       AUTO_INCREMENT PRIMARY KEY,
  user_id                    BIGINT       NOT NULL,
  name                       VARCHAR(128) NOT NULL,
  pool                       VARCHAR(64)  NULL,      -- runs on a worker of this pool ...
  rental_id                  BIGINT       NULL,      -- ... or on the caller's own lease, as its client user
  scheduled_id               BIGINT       NULL,      -- the cron job that created it
  scheduled_for              DATETIME(6)  NULL,      -- and for which fire time
  spec                       TEXT         NOT NULL,  -- JSON: steps [{name, command, image}], env
  max_retries                INT          NOT NULL DEFAULT 0,
  timeout_seconds            INT          NULL,      -- overall deadline from the first start, beats retries
  ttl_seconds_after_finished INT          NULL,
  status                     VARCHAR(16)  NOT NULL DEFAULT 'pending',
  reason                     VARCHAR(32)  NULL,      -- BackOff, PoolAsleep, BackoffLimitExceeded, DeadlineExceeded, ...
  created_at                 DATETIME(6)  NOT NULL,
  due_at                     DATETIME(6)  NOT NULL,  -- the next attempt may start from here (back-off)
  started_at                 DATETIME(6)  NULL,      -- the first attempt's start
  finished_at                DATETIME(6)  NULL,
  failures                   INT          NOT NULL DEFAULT 0,  -- failed attempts that used up a retry
  cancel_requested           BOOLEAN      NOT NULL DEFAULT FALSE,
  claimed_by                 VARCHAR(64)  NULL,
  claimed_until              DATETIME(6)  NULL,
  -- A cron job's fire creates its job at most once, whichever schedulers race.
  UNIQUE KEY uq_jobs_fire (scheduled_id, scheduled_for),
  KEY ix_jobs_due (status, due_at),
  KEY ix_jobs_user (user_id, id),
  KEY ix_jobs_rental (rental_id),
  CONSTRAINT fk_jobs_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT ck_jobs_status CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  CONSTRAINT ck_jobs_target CHECK ((pool IS NULL) <> (rental_id IS NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE job_attempts (
  job_id      BIGINT        NOT NULL,
  attempt     INT           NOT NULL,              -- 1, 2, ...
  node_id     BIGINT        NOT NULL,
  lease_id    BIGINT        NULL,                  -- the internal lease (NULL on the caller's own lease)
  unix_user   VARCHAR(32)   NOT NULL,
  run_dir     VARCHAR(255)  NOT NULL,              -- on the worker: pid, exit code and output files of the attempt
  pgid        INT           NULL,                  -- the attempt's process group, once started
  started_at  DATETIME(6)   NULL,
  ended_at    DATETIME(6)   NULL,
  exit_code   INT           NULL,
  reason      VARCHAR(32)   NULL,                  -- Completed, Error, WorkerLost, DeadlineExceeded, Cancelled
  log         MEDIUMBLOB    NULL,                  -- stdout and stderr, at most 1 MiB, copied while it runs
  log_bytes   BIGINT        NOT NULL DEFAULT 0,    -- what the attempt wrote in all (more than kept: truncated)
  PRIMARY KEY (job_id, attempt),
  KEY ix_job_attempts_node (node_id),
  CONSTRAINT fk_job_attempts_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A job's internal lease is a rentals row of its own kind: it allocates the node like a rent,
-- but is no client's lease (not listed in /api/rentals, not counted in a user's limit).
ALTER TABLE rentals
  ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'client',
  ADD CONSTRAINT ck_rentals_kind CHECK (kind IN ('client', 'job'));

ALTER TABLE events
  ADD COLUMN job_id       BIGINT NULL,
  ADD COLUMN scheduled_id BIGINT NULL,
  ADD KEY ix_events_job (job_id, seq),
  ADD KEY ix_events_scheduled (scheduled_id, seq),
  DROP CONSTRAINT ck_events_kind,
  ADD CONSTRAINT ck_events_kind CHECK (kind IN ('lease', 'node', 'pool', 'load', 'job', 'schedule'));
