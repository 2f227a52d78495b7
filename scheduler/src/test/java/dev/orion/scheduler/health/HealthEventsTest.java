package dev.orion.scheduler.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Each health transition of a node is a node event (from, to, why), written with the verdict;
 * probes that change nothing write none. Driven by a settable clock and a worker that answers or
 * not as the test says (no root, no sshd).
 */
class HealthEventsTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");

  @Test
  void aliveSuspectDeadAndBackAreNodeEvents() {
    try (Database db = TestDb.fresh()) {
      long node = db.jdbi().inTransaction(h -> Fleet.nodes(h, 1, "alive", false).get(0));
      SettableClock clock = new SettableClock(T0);
      Claimant me = new Claimant("health-test", Duration.ofSeconds(30), clock);
      RecordingWorkerOps worker = new RecordingWorkerOps();
      ExecutorService probes = Executors.newFixedThreadPool(2);
      try {
        Duration interval = Duration.ofSeconds(1);
        HealthLoop loop = new HealthLoop(db.jdbi(), me, new ClaimRenewer(db.jdbi(), me), 10,
            new HealthPolicy(interval, 2, Duration.ofSeconds(30), 50, 3, Duration.ofSeconds(10)),
            Duration.ofSeconds(5), worker, probes);
        assertEquals(1, loop.tick()); // alive, answers: no event
        for (boolean up : new boolean[] {false, false, false, true}) {
          if (up) {
            worker.recover(node);
          } else {
            worker.fail(node, WorkerException.Kind.UNREACHABLE);
          }
          clock.advance(interval);
          assertEquals(1, loop.tick());
        }
      } finally {
        probes.shutdownNow();
      }
      assertEquals(List.of("alive>suspect", "suspect>dead", "dead>alive"), db.jdbi().withHandle(h -> h.createQuery(
              "SELECT CONCAT(from_status, '>', to_status) FROM events WHERE kind = 'node' AND node_id = :n"
                  + " AND actor = 'scheduler:health-test' ORDER BY seq")
          .bind("n", node).mapTo(String.class).list()));
      String why = db.jdbi().withHandle(h -> h.createQuery("SELECT reason FROM events WHERE kind = 'node'"
          + " AND node_id = :n AND to_status = 'dead'").bind("n", node).mapTo(String.class).one());
      assertTrue(why.startsWith("dead after 2 failed probes: ")
          && why.contains("node " + node + " fails every call"), why);
    }
  }
}
