package dev.orion.localdb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded MariaDB of {@code ./orion up} until the process is stopped.
 *
 * <p>Environment: {@code ORION_LOCALDB_HOME} (data directory), {@code ORION_LOCALDB_PORT},
 * {@code ORION_LOCALDB_DATABASE}, {@code ORION_LOCALDB_ROOT_PASSWORD} and
 * {@code ORION_LOCALDB_APP_PASSWORD} (both required: no account is left without a password),
 * {@code ORION_LOCALDB_APP_USER} (orion), the account the services use, limited to rows of the
 * database, and {@code ORION_LOCALDB_MIGRATE_USER} (orion_migrate) with
 * {@code ORION_LOCALDB_MIGRATE_PASSWORD} (required), the account that migrates it.
 *
 * <p>A mariadbd that dies is started again on the same port and data directory ({@link Supervisor});
 * after {@value #MAX_FAILED_STARTS} failed restarts in a row this process exits with status 1.
 */
public final class LocalDbMain {
  static final int MAX_FAILED_STARTS = 8;

  public static void main(String[] args) throws Exception {
    Path home = Path.of(env("ORION_LOCALDB_HOME", ".orion/mariadb")).toAbsolutePath();
    int port = Integer.parseInt(env("ORION_LOCALDB_PORT", "3306"));
    String database = env("ORION_LOCALDB_DATABASE", "orion");
    String rootPassword = required("ORION_LOCALDB_ROOT_PASSWORD");
    String appPassword = required("ORION_LOCALDB_APP_PASSWORD");
    String appUser = env("ORION_LOCALDB_APP_USER", "orion");
    String migratePassword = required("ORION_LOCALDB_MIGRATE_PASSWORD");
    String migrateUser = env("ORION_LOCALDB_MIGRATE_USER", "orion_migrate");
    Supervisor db = Supervisor.start(() -> {
      LocalDb started = LocalDb.startSecured(home, port, "+00:00", rootPassword);
      started.secure(database, appUser, appPassword, migrateUser, migratePassword);
      started.createDatabase(database);
      return started;
    }, Duration.ofSeconds(1), Duration.ofSeconds(30), MAX_FAILED_STARTS, () -> System.exit(1));
    System.out.println("localdb ready on " + db.current().jdbcUrl(database));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        db.close();
      } catch (Exception e) {
        System.err.println("localdb stop failed: " + e);
      }
      stopped.countDown();
    }));
    stopped.await();
  }

  private static String required(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      System.err.println("localdb: " + name + " must be set (./orion up generates it in .orion/secrets.env)");
      System.exit(2);
    }
    return v;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
