-- Why: events of every kind (lease now; node, pool, job and schedule next) go to one log, and the
-- live event stream (SSE with Last-Event-ID) resumes from their ids. AUTO_INCREMENT values can
-- commit out of order (8 visible before 7 commits), so a reader resuming after 8 would miss 7
-- forever. Writers therefore only append (seq, AUTO_INCREMENT, never shown); a publisher gives
-- committed events their id in seq order under event_sequence's row lock (EventLog.publish), so a
-- late commit gets a later id and a reader who has seen id N never finds a new event with an id
-- <= N. Writers never wait for each other or for the publisher.
-- rental_events becomes a view over the lease events, so its readers keep working.

CREATE TABLE events (
  seq          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY, -- write order, not commit order
  id           BIGINT       NULL,                  -- published id: commit order; NULL until published
  kind         VARCHAR(16)  NOT NULL,
  at           DATETIME(6)  NOT NULL,
  actor        VARCHAR(64)  NOT NULL,              -- user:<name>, scheduler:<id>, api
  lease_id     BIGINT       NULL,                  -- the ids the event concerns, by kind
  node_id      BIGINT       NULL,
  from_status  VARCHAR(16)  NULL,
  to_status    VARCHAR(16)  NOT NULL,
  from_node_id BIGINT       NULL,
  to_node_id   BIGINT       NULL,
  reason       VARCHAR(255) NOT NULL,
  UNIQUE KEY uq_events_id (id),                   -- also finds the unpublished (NULL) rows
  KEY ix_events_lease (lease_id, seq),
  KEY ix_events_node (node_id, seq),
  CONSTRAINT ck_events_kind CHECK (kind IN ('lease', 'node')),
  -- Lease events carry lease states (V3 held the same on rental_events).
  CONSTRAINT ck_events_lease_status CHECK (kind <> 'lease'
    OR (to_status IN ('provisioning', 'active', 'migrating', 'ended')
        AND (from_status IS NULL OR from_status IN ('provisioning', 'active', 'migrating', 'ended'))))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE event_sequence (
  singleton TINYINT NOT NULL PRIMARY KEY,
  last_id   BIGINT  NOT NULL,
  CONSTRAINT ck_event_sequence_singleton CHECK (singleton = 1)
) ENGINE = InnoDB;

INSERT INTO events (seq, id, kind, at, actor, lease_id, from_status, to_status, from_node_id, to_node_id, reason)
SELECT id, id, 'lease', at, actor, rental_id, from_status, to_status, from_node_id, to_node_id, reason
FROM rental_events;

INSERT INTO event_sequence (singleton, last_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;

DROP TABLE rental_events;

CREATE VIEW rental_events AS
SELECT seq AS id, lease_id AS rental_id, at, actor, from_status, to_status, from_node_id, to_node_id, reason
FROM events
WHERE kind = 'lease';
