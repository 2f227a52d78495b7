package dev.orion.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.testkit.TcpProxy;
import dev.orion.testkit.TestDb;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  static Database db;

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void instantsRoundTripAsUtcWhateverTheSessionTimeZone() {
    String tz = db.jdbi().withHandle(h -> h.createQuery("SELECT @@session.time_zone").mapTo(String.class).one());
    assertEquals(TestDb.SERVER_TIME_ZONE, tz, "the test server must not run in UTC");
    Instant t = Instant.parse("2026-03-29T01:30:00.123456Z");
    Instant back = db.jdbi().withHandle(h -> h.createQuery("SELECT CAST(:t AS DATETIME(6))")
        .bind("t", t).mapTo(Instant.class).one());
    assertEquals(t, back);
    String literal = db.jdbi().withHandle(h -> h.createQuery("SELECT CAST(CAST(:t AS DATETIME(6)) AS CHAR)")
        .bind("t", t).mapTo(String.class).one());
    assertEquals("2026-03-29 01:30:00.123456", literal, "stored as UTC wall time");
  }

  @Test
  void schemaRefusesTwoLiveLeasesOnOneNode() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    db.jdbi().useHandle(h -> {
      h.execute("INSERT INTO users (username, password_hash, created_at) VALUES ('u1', 'x', ?)", now);
      h.execute("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, registered_at, last_seen_at)"
          + " VALUES ('n1', '127.0.0.1', 22, 'k', 'f', ?, ?)", now, now);
      h.execute("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status, end_reason, created_at,"
          + " leased_until) VALUES (1, 1, 'c_u1', 'h', 'ended', 'released', ?, ?)", now, now);
      h.execute("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status, created_at, leased_until)"
          + " VALUES (1, 1, 'c_u1', 'h', 'active', ?, ?)", now, now);
    });
    assertThrows(UnableToExecuteStatementException.class, () -> db.jdbi().useHandle(h -> h.execute(
        "INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status, created_at, leased_until)"
            + " VALUES (1, 1, 'c_u1', 'h', 'provisioning', ?, ?)", now, now)));
    assertTrue(db.ping(2));
  }

  @Test
  void aSilentDatabaseFailsTheStatementInsteadOfHoldingTheThread() throws Exception {
    DbConfig direct = TestDb.freshConfig(1);
    try (TcpProxy proxy = TcpProxy.inFrontOf(direct);
         Database viaProxy = Database.connect(direct.with(proxy.url(direct), 1, Duration.ofSeconds(1)))) {
      assertEquals(1, select(viaProxy, 1));
      proxy.silence();
      try {
        // Without a socket timeout the read below waits indefinitely: the kernel keeps the
        // connection, nothing answers. The bound only keeps a broken build from hanging.
        RuntimeException failed = assertTimeoutPreemptively(Duration.ofMinutes(2),
            () -> assertThrows(RuntimeException.class, () -> select(viaProxy, 2)));
        assertTrue(causes(failed).stream().anyMatch(SocketTimeoutException.class::isInstance),
            "failed by the socket timeout: " + causes(failed));
      } finally {
        proxy.restore(); // lets a statement still waiting finish, so the pool can close
      }
      assertEquals(3, select(viaProxy, 3), "the pool replaces the connection it gave up");
    }
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  private static int select(Database d, int n) {
    return d.jdbi().withHandle(h -> h.createQuery("SELECT " + n).mapTo(Integer.class).one());
  }
}
