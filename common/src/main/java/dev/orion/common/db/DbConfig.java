package dev.orion.common.db;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * Connection settings of the shared MariaDB, from {@code ORION_DB_*}.
 *
 * @param socketTimeout how long a statement may wait for the server's answer before its
 *     connection is given up: without it a database that goes silent (a network path dropping
 *     packets without a reset) holds the calling thread until the kernel gives up, many minutes
 *     later. Every query here is short and lock waits end after 10 s, so 30 s only ends the stuck.
 */
public record DbConfig(String url, String user, String password, int poolSize, Duration socketTimeout) {
  public static final String DEFAULT_URL = "jdbc:mariadb://127.0.0.1:3306/orion";
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

  public DbConfig {
    if (socketTimeout.isNegative() || socketTimeout.isZero() || socketTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("the database socket timeout must be within (0, 1h], got " + socketTimeout);
    }
  }

  public DbConfig(String url, String user, String password, int poolSize) {
    this(url, user, password, poolSize, DEFAULT_SOCKET_TIMEOUT);
  }

  public static DbConfig from(Env env, int defaultPoolSize) {
    Duration socketTimeout = env.duration("ORION_DB_SOCKET_TIMEOUT", DEFAULT_SOCKET_TIMEOUT);
    if (socketTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException("ORION_DB_SOCKET_TIMEOUT", "must be at most 1h, got " + socketTimeout);
    }
    return new DbConfig(
        env.string("ORION_DB_URL", DEFAULT_URL),
        env.string("ORION_DB_USER", "root"),
        env.string("ORION_DB_PASSWORD", ""),
        env.integer("ORION_DB_POOL_SIZE", defaultPoolSize, 1, 200),
        socketTimeout);
  }

  @Override
  public String toString() {
    return "DbConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
        + ", poolSize=" + poolSize + ", socketTimeout=" + socketTimeout + "]";
  }
}
