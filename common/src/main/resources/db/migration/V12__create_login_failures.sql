-- Why: password guessing is throttled per account and client address, and the counters must be
-- shared by every API replica (a guesser's requests are spread over all of them), so they live
-- here rather than in a replica's memory. One row per (account name, client address): failures in
-- the current window, when that window began, and until when logins from there are refused.
CREATE TABLE login_failures (
  username      VARCHAR(32)  NOT NULL,
  client        VARCHAR(45)  NOT NULL,
  failures      INT          NOT NULL,
  window_start  DATETIME(6)  NOT NULL,
  blocked_until DATETIME(6)  NULL,
  PRIMARY KEY (username, client)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
