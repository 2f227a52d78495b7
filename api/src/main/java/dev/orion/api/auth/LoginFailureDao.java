package dev.orion.api.auth;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Failed logins per (account name, client address), shared by every replica. */
public interface LoginFailureDao {
  @SqlQuery("SELECT blocked_until FROM login_failures WHERE username = :u AND client = :c"
      + " AND blocked_until IS NOT NULL")
  Optional<Instant> blockedUntil(@Bind("u") String username, @Bind("c") String client);

  /**
   * Counts one failure, starting a new window when the last one began before {@code windowStart}.
   * One statement, so concurrent failures on several replicas all count.
   */
  @SqlUpdate("INSERT INTO login_failures (username, client, failures, window_start) VALUES (:u, :c, 1, :now)"
      + " ON DUPLICATE KEY UPDATE failures = IF(window_start < :windowStart, 1, failures + 1),"
      + " window_start = IF(window_start < :windowStart, :now, window_start)")
  void fail(@Bind("u") String username, @Bind("c") String client, @Bind("now") Instant now,
      @Bind("windowStart") Instant windowStart);

  @SqlQuery("SELECT failures FROM login_failures WHERE username = :u AND client = :c")
  int failures(@Bind("u") String username, @Bind("c") String client);

  @SqlUpdate("UPDATE login_failures SET blocked_until = :until WHERE username = :u AND client = :c")
  void block(@Bind("u") String username, @Bind("c") String client, @Bind("until") Instant until);

  @SqlUpdate("DELETE FROM login_failures WHERE username = :u AND client = :c")
  void clear(@Bind("u") String username, @Bind("c") String client);
}
