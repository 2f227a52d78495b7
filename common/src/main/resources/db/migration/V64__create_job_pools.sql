-- Why: jobs may hold at most ORION_JOB_WORKER_SHARE of a pool's workers. Two schedulers placing
-- attempts in the same pool at once would each count the pool's job leases before the other's
-- commit and together pass the share. Each placement locks its pool's row here first (created on
-- first use), so counting and allocating are one step per pool; rents never touch it.
CREATE TABLE job_pools (
  pool VARCHAR(64) PRIMARY KEY
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
