package dev.orion.scheduler.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.node.NodeDao;
import dev.orion.common.db.Database;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An admin forgets a node while a scheduler is probing it: the probe's verdict ("alive") must not
 * bring the forgotten node back. Forgetting clears the node's claim, so the health check's
 * completion, fenced by that claim, writes nothing. Without that, the verdict overwrites
 * {@code forgotten} with {@code alive} and the node is probed, scrubbed and rented again.
 */
class ForgetDuringCheckTest {
  @Test
  void aNodeForgottenWhileItIsProbedStaysForgotten() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Database db = Database.connect(TestDb.freshConfig(4))) {
      long node = db.jdbi().inTransaction(h -> Fleet.nodes(h, 1, "alive", false).get(0));
      SettableClock clock = new SettableClock(Instant.parse("2026-06-01T00:00:00Z"));
      Claimant claimant = new Claimant("prober", Duration.ofSeconds(30), clock);
      ClaimRenewer renewer = new ClaimRenewer(db.jdbi(), claimant);
      CountDownLatch probing = new CountDownLatch(1);
      CountDownLatch answer = new CountDownLatch(1);
      RecordingWorkerOps workers = new RecordingWorkerOps().onCall(c -> {
        probing.countDown();
        try {
          answer.await(30, TimeUnit.SECONDS); // the probe is under way until the node is forgotten
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      HealthLoop loop = new HealthLoop(db.jdbi(), claimant, renewer, 10,
          new HealthPolicy(Duration.ofSeconds(1), 3, Duration.ofSeconds(30), 50, 3, Duration.ofSeconds(60)),
          Duration.ofSeconds(30), workers, pool);

      Future<Integer> round = pool.submit(loop::tick);
      assertTrue(probing.await(30, TimeUnit.SECONDS), "the node is being probed");
      assertEquals("prober", db.jdbi().withHandle(h -> h.createQuery("SELECT claimed_by FROM nodes WHERE id = :id")
          .bind("id", node).mapTo(String.class).one()));
      assertEquals(1, (int) db.jdbi().inTransaction(h -> h.attach(NodeDao.class).forget(node, clock.instant())));
      answer.countDown(); // the probe answers: the worker is fine
      assertEquals(1, round.get(60, TimeUnit.SECONDS));

      Map<String, Object> row = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT status, claimed_by, last_probe_at FROM nodes WHERE id = :id").bind("id", node).mapToMap().one());
      assertEquals("forgotten", row.get("status"), "the verdict did not bring it back: " + row);
      assertEquals(null, row.get("last_probe_at"), "nothing of the verdict was written: " + row);
      assertEquals(0, loop.tick(), "and it is never probed again");
    } finally {
      pool.shutdownNow();
    }
  }
}
