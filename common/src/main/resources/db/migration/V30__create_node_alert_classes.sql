-- Why: Alertmanager's webhook (POST /api/alerts/alertmanager) gives a node a load class, and any
-- orion.io/* labels, for as long as an alert about it fires; the resolved alert takes it away.
-- One row per firing alert, keyed by Alertmanager's fingerprint, so a repeated delivery rewrites
-- the same row (idempotent) and a resolve removes exactly the alert it names. Kept apart from the
-- hot nodes row, which every heartbeat and rent writes. No foreign key to nodes on purpose: it
-- would share-lock the node row on every insert, and rents skip locked nodes (SKIP LOCKED). Node
-- ids are never reused, and readers join nodes, so rows of a forgotten node are inert.
CREATE TABLE node_alert_classes (
  fingerprint VARCHAR(64)   NOT NULL PRIMARY KEY,
  node_id     BIGINT        NOT NULL,
  alertname   VARCHAR(255)  NOT NULL,
  load_class  VARCHAR(16)   NULL,                 -- low | moderate | high; NULL: labels only
  labels      VARCHAR(4096) NOT NULL DEFAULT '{}', -- the alert's orion.io/* labels, JSON
  group_key   VARCHAR(1024) NOT NULL,
  starts_at   DATETIME(6)   NOT NULL,             -- the firing's start, as Alertmanager sent it
  updated_at  DATETIME(6)   NOT NULL,
  KEY ix_node_alert_classes_node (node_id),
  CONSTRAINT ck_node_alert_classes_class CHECK (load_class IN ('low', 'moderate', 'high'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
