package dev.orion.common.db;

import dev.orion.common.config.Env;

/** Connection settings of the shared MariaDB, from {@code ORION_DB_*}. */
public record DbConfig(String url, String user, String password, int poolSize) {
  public static final String DEFAULT_URL = "jdbc:mariadb://127.0.0.1:3306/orion";

  public static DbConfig from(Env env, int defaultPoolSize) {
    return new DbConfig(
        env.string("ORION_DB_URL", DEFAULT_URL),
        env.string("ORION_DB_USER", "root"),
        env.string("ORION_DB_PASSWORD", ""),
        env.integer("ORION_DB_POOL_SIZE", defaultPoolSize, 1, 200));
  }

  @Override
  public String toString() {
    return "DbConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
        + ", poolSize=" + poolSize + "]";
  }
}
