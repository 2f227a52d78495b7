-- Why: the first slice of Orion needs accounts, registered workers, leases and an append-only
-- history of every lease transition. Times are UTC DATETIME(6) bound by the application.

CREATE TABLE users (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  username      VARCHAR(32)  NOT NULL,
  password_hash VARCHAR(72)  NOT NULL,           -- bcrypt
  role          VARCHAR(16)  NOT NULL DEFAULT 'user',
  created_at    DATETIME(6)  NOT NULL,
  UNIQUE KEY uq_users_username (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE nodes (
  id                   BIGINT AUTO_INCREMENT PRIMARY KEY,
  hostname             VARCHAR(253)  NOT NULL,
  ip                   VARCHAR(45)   NOT NULL,
  ssh_port             INT           NOT NULL,
  host_key             VARCHAR(4096) NOT NULL,      -- OpenSSH public key line, pinned at first registration
  host_key_fingerprint VARCHAR(64)   NOT NULL,      -- SHA256:base64, as ssh-keygen -l prints it
  pool                 VARCHAR(64)   NOT NULL DEFAULT 'default',
  labels               VARCHAR(4096) NOT NULL DEFAULT '{}',
  status               VARCHAR(16)   NOT NULL DEFAULT 'alive',
  allocated            BOOLEAN       NOT NULL DEFAULT FALSE,
  clean                BOOLEAN       NOT NULL DEFAULT TRUE,  -- no leftover client user from an earlier lease
  registered_at        DATETIME(6)   NOT NULL,
  last_seen_at         DATETIME(6)   NOT NULL,
  UNIQUE KEY uq_nodes_hostname (hostname),
  KEY ix_nodes_free (status, allocated, clean, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE rentals (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  user_id        BIGINT        NOT NULL,
  node_id        BIGINT        NOT NULL,
  client_user    VARCHAR(32)   NOT NULL,
  password_crypt VARCHAR(128)  NOT NULL,           -- SHA-512 crypt; the plaintext is never stored
  public_key     VARCHAR(4096) NULL,
  status         VARCHAR(16)   NOT NULL,           -- provisioning | active | migrating | ended
  end_reason     VARCHAR(16)   NULL,               -- released | expired | reset | failed
  created_at     DATETIME(6)   NOT NULL,
  leased_until   DATETIME(6)   NOT NULL,
  ended_at       DATETIME(6)   NULL,
  -- The database itself refuses a second live lease on one node, whatever the code does.
  live_node_id   BIGINT AS (CASE WHEN status <> 'ended' THEN node_id END) PERSISTENT,
  UNIQUE KEY uq_rentals_live_node (live_node_id),
  KEY ix_rentals_user (user_id, status),
  KEY ix_rentals_due (status, leased_until),
  CONSTRAINT fk_rentals_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE rental_events (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  rental_id    BIGINT       NOT NULL,
  at           DATETIME(6)  NOT NULL,
  actor        VARCHAR(64)  NOT NULL,              -- user:<name>, scheduler:<id>, api
  from_status  VARCHAR(16)  NULL,
  to_status    VARCHAR(16)  NOT NULL,
  from_node_id BIGINT       NULL,
  to_node_id   BIGINT       NULL,
  reason       VARCHAR(255) NOT NULL,
  KEY ix_rental_events_rental (rental_id, id),
  CONSTRAINT fk_rental_events_rental FOREIGN KEY (rental_id) REFERENCES rentals (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
