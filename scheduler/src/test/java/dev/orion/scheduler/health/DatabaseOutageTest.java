package dev.orion.scheduler.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.TcpProxy;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The database is unreachable for 30 s (through a proxy the test cuts), then back. Nothing the
 * outage hid may be mistaken for a dead node, no lease may be lost, and work due meanwhile is
 * done afterwards.
 */
class DatabaseOutageTest {
  @Test
  void aThirtySecondOutageKillsNoNodeAndLosesNoLease() throws Exception {
    DbConfig direct = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("outage", 4);
    ScheduledExecutorService agent = Executors.newSingleThreadScheduledExecutor();
    try (TcpProxy proxy = TcpProxy.inFrontOf(direct); Database db = Database.connect(direct)) {
      DbConfig viaProxy = direct.with(proxy.url(direct), 4, DbConfig.DEFAULT_SOCKET_TIMEOUT);
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long[] nodes = new long[4];
      for (int i = 0; i < 4; i++) {
        nodes[i] = reg.register(workers.get(i));
      }
      Instant start = Instant.now();
      long steady = reg.lease(workers.get(0), nodes[0], "c_steady", "pw-steady-1", start.plus(Duration.ofHours(1)));
      long endsInOutage = reg.lease(workers.get(1), nodes[1], "c_brief", "pw-brief-1", start.plus(Duration.ofSeconds(20)));
      long onQuietNode = reg.lease(workers.get(3), nodes[3], "c_quiet", "pw-quiet-1", start.plus(Duration.ofHours(1)));
      // Node 4's sshd stops answering but its agent keeps heartbeating through the API, which
      // writes to the same database: during the outage those heartbeats cannot land. The agent
      // beats faster than K probes take, so its heartbeats land while the probes fail.
      workers.get(3).kill();
      try (Database agentDb = Database.connect(viaProxy.with(viaProxy.url(), 2, DbConfig.DEFAULT_SOCKET_TIMEOUT))) {
        agent.scheduleWithFixedDelay(() -> {
          try {
            agentDb.jdbi().useHandle(h -> h.execute(
                "UPDATE nodes SET last_heartbeat_at = ? WHERE id = ?", Instant.now(), nodes[3]));
          } catch (RuntimeException outage) {
            // the API answers 503 meanwhile; the agent retries next beat
          }
        }, 0, 100, TimeUnit.MILLISECONDS);

        // The heartbeat timeout is also the quiet period after the outage: long enough for the
        // agent's pool, whose reconnects back off during the outage, to land a heartbeat again.
        Map<String, String> env = Map.of(
            "ORION_SSH_KEY", TestSsh.adminKey().toString(),
            "ORION_HEALTH_INTERVAL", "200ms", "ORION_HEALTH_FAILURES", "5",
            "ORION_HEALTH_PROBE_TIMEOUT", "1s", "ORION_HEARTBEAT_TIMEOUT", "15s",
            "ORION_HEALTH_DB_STALL", "5s", "ORION_HEALTH_GUARD_MIN_NODES", "10",
            "ORION_CLAIM_TIMEOUT", "10s");
        try (Database pool = Database.connect(viaProxy);
            Scheduler s = new Scheduler(Instances.config("o1", viaProxy, env), pool, Clock.systemUTC()).start()) {
          Await.until("the silent node is spared by its heartbeat", Duration.ofSeconds(30), () -> db.jdbi().withHandle(
              h -> h.createQuery("SELECT spared_reason IS NOT NULL FROM nodes WHERE id = :n")
                  .bind("n", nodes[3]).mapTo(Boolean.class).one()));
          proxy.cut();
          Thread.sleep(30_000);
          proxy.restore();
          Instant back = Instant.now();
          Await.until("lease due during the outage ended", Duration.ofSeconds(60), () -> status(db, endsInOutage).equals("ended"));
          // Several full rounds after the database came back, past the quiet period.
          Await.until("health rounds after the outage", Duration.ofSeconds(60), () -> db.jdbi().withHandle(
              h -> h.createQuery("SELECT MIN(last_probe_at) FROM nodes").mapTo(Instant.class).one())
              .isAfter(back.plusSeconds(20)));
        }
      }
      assertEquals(List.of(), db.jdbi().withHandle(h -> h.createQuery(
          "SELECT id FROM nodes WHERE status = 'dead'").mapTo(Long.class).list()), "no node declared dead");
      assertEquals("active", status(db, steady));
      assertEquals("active", status(db, onQuietNode), "the heartbeating node kept its lease");
      long quietNodeNow = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT node_id FROM rentals WHERE id = :r").bind("r", onQuietNode).mapTo(Long.class).one());
      assertEquals(nodes[3], quietNodeNow);
      int endedEvents = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM rental_events WHERE rental_id = :r AND to_status = 'ended'")
          .bind("r", endsInOutage).mapTo(Integer.class).one());
      assertEquals(1, endedEvents);
      assertFalse(workers.get(1).hasUser("c_brief"), "the expired lease's user is gone");
      assertTrue(workers.get(0).hasUser("c_steady"));
    } finally {
      agent.shutdownNow();
      SandboxWorker.closeAll(workers);
    }
  }

  static String status(Database db, long rental) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM rentals WHERE id = :r")
        .bind("r", rental).mapTo(String.class).one());
  }
}
