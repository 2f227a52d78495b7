package dev.orion.localdb;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded MariaDB of {@code ./orion up} until the process is stopped.
 *
 * <p>Environment: {@code ORION_LOCALDB_HOME} (data directory), {@code ORION_LOCALDB_PORT},
 * {@code ORION_LOCALDB_DATABASE}.
 */
public final class LocalDbMain {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(env("ORION_LOCALDB_HOME", ".orion/mariadb")).toAbsolutePath();
    int port = Integer.parseInt(env("ORION_LOCALDB_PORT", "3306"));
    String database = env("ORION_LOCALDB_DATABASE", "orion");
    LocalDb db = LocalDb.start(home, port, "+00:00");
    db.createDatabase(database);
    System.out.println("localdb ready on " + db.jdbcUrl(database));
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

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
