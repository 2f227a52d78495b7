-- Why: a worker's load, from its heartbeats, smoothed (exponential average with a time constant)
-- and classed low / moderate / high with hysteresis, so placement can avoid busy workers and
-- everyone can see them. Kept apart from the hot nodes row like node_alert_classes (V30), and for
-- the same reason without a foreign key: readers join nodes.
CREATE TABLE node_load (
  node_id     BIGINT      NOT NULL PRIMARY KEY,
  cpu_percent DOUBLE      NOT NULL,   -- smoothed, of what the worker may use (its cgroup limit)
  mem_percent DOUBLE      NOT NULL,   -- smoothed likewise
  load_class  VARCHAR(16) NOT NULL,
  class_since DATETIME(6) NOT NULL,   -- when the class last changed
  sampled_at  DATETIME(6) NOT NULL,   -- the last heartbeat folded in
  source      VARCHAR(16) NOT NULL,   -- cgroup-v2 | cgroup-v1 | proc | unknown
  CONSTRAINT ck_node_load_class CHECK (load_class IN ('low', 'moderate', 'high'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
