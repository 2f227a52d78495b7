package dev.orion.common.db;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * Connection settings of the shared MariaDB, from {@code ORION_DB_*}.
 *
 * @param socketTimeout how long a statement may wait for the server's answer before its
 *     connection is given up: without it a database that goes silent (a network path dropping
 *     packets without a reset) holds the calling thread indefinitely, or until TCP keep-alive
 *     notices hours later. From the environment it must exceed the lock wait, or an ordinary
 *     lock timeout would cost a connection.
 * @param migrateUser the account that runs migrations ({@code ORION_DB_MIGRATE_USER}); empty:
 *     the runtime account itself (tests, a single-account database). {@code ./orion up} gives
 *     the services an account that may not change the schema, and only the migrating process
 *     this one, so a compromised replica cannot drop or alter tables.
 */
public record DbConfig(String url, String user, String password, int poolSize, Duration socketTimeout,
    String migrateUser, String migratePassword) {
  public static final String DEFAULT_URL = "jdbc:mariadb://127.0.0.1:3306/orion";
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration MAX_SOCKET_TIMEOUT = Duration.ofHours(1);

  public DbConfig {
    if (socketTimeout.isNegative() || socketTimeout.isZero() || socketTimeout.compareTo(MAX_SOCKET_TIMEOUT) > 0) {
      throw new IllegalArgumentException("the database socket timeout must be within (0, 1h], got " + socketTimeout);
    }
  }

  public DbConfig(String url, String user, String password, int poolSize) {
    this(url, user, password, poolSize, DEFAULT_SOCKET_TIMEOUT);
  }

  public DbConfig(String url, String user, String password, int poolSize, Duration socketTimeout) {
    this(url, user, password, poolSize, socketTimeout, "", "");
  }

  /** The same settings with migrations run by {@code user}. */
  public DbConfig migratingAs(String user, String password) {
    return new DbConfig(url, this.user, this.password, poolSize, socketTimeout, user, password);
  }

  public static DbConfig from(Env env, int defaultPoolSize) {
    Duration socketTimeout = env.duration("ORION_DB_SOCKET_TIMEOUT", DEFAULT_SOCKET_TIMEOUT);
    if (socketTimeout.compareTo(Database.LOCK_WAIT) <= 0 || socketTimeout.compareTo(MAX_SOCKET_TIMEOUT) > 0) {
      throw new ConfigException("ORION_DB_SOCKET_TIMEOUT", "must be longer than the " + Database.LOCK_WAIT.toSeconds()
          + " s lock wait and at most 1h, got " + socketTimeout);
    }
    return new DbConfig(
        env.string("ORION_DB_URL", DEFAULT_URL),
        env.string("ORION_DB_USER", "root"),
        env.string("ORION_DB_PASSWORD", ""),
        env.integer("ORION_DB_POOL_SIZE", defaultPoolSize, 1, 200),
        socketTimeout,
        env.string("ORION_DB_MIGRATE_USER", ""),
        env.string("ORION_DB_MIGRATE_PASSWORD", ""));
  }

  /** The same settings with another URL, pool size and socket timeout (tests route through proxies). */
  public DbConfig with(String url, int poolSize, Duration socketTimeout) {
    return new DbConfig(url, user, password, poolSize, socketTimeout, migrateUser, migratePassword);
  }

  @Override
  public String toString() {
    return "DbConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
        + ", poolSize=" + poolSize + ", socketTimeout=" + socketTimeout
        + (migrateUser.isEmpty() ? "" : ", migrateUser=" + migrateUser + ", migratePassword=***") + "]";
  }
}
