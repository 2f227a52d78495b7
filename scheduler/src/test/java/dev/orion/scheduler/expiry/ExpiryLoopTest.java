package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The expiry loop's logic on a real database, driven by a settable clock and a recording worker
 * (no root, no sshd): when a lease ends, and what its cleanup may vouch for.
 */
class ExpiryLoopTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
  static Database db;
  static ExecutorService ssh;

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
    ssh = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    ssh.shutdownNow();
    db.close();
  }

  static ExpiryLoop loop(SettableClock clock, RecordingWorkerOps workers) {
    Claimant me = new Claimant("expiry-test", Duration.ofSeconds(30), clock);
    return new ExpiryLoop(db.jdbi(), me, new ClaimRenewer(db.jdbi(), me), 10,
        lease -> workers.deleteAccount(lease.endpoint(), lease.clientUser()), ssh);
  }

  static Map<String, Object> row(String sql, long id) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).bind("id", id).mapToMap().one());
  }

  static long nodeOf(long rental) {
    return (Long) row("SELECT node_id FROM rentals WHERE id = :id", rental).get("node_id");
  }

  @Test
  void aLeaseEndsAtLeasedUntilAndNotBefore() {
    Instant until = T0.plusSeconds(600);
    SettableClock clock = new SettableClock(T0);
    long rental = new Fleet(db.jdbi(), T0).leasedNodes(1, "alive", until).get(0);
    long node = nodeOf(rental);
    RecordingWorkerOps workers = new RecordingWorkerOps().leftover(node, "c" + node);
    ExpiryLoop loop = loop(clock, workers);

    clock.set(until.minusNanos(1000));
    assertEquals(0, loop.tick(), "a microsecond before its end the lease is not due");
    assertEquals("active", row("SELECT status FROM rentals WHERE id = :id", rental).get("status"));
    assertEquals(List.of(), workers.calls());

    clock.set(until);
    assertEquals(1, loop.tick());
    assertEquals(Map.of("status", "ended", "end_reason", "expired"),
        row("SELECT status, end_reason FROM rentals WHERE id = :id", rental));
    assertEquals(until, db.jdbi().withHandle(h -> h.createQuery("SELECT ended_at FROM rentals WHERE id = :id")
        .bind("id", rental).mapTo(Instant.class).one()));
    assertEquals(1, workers.count("delete", node));
    assertEquals(java.util.Set.of(), workers.accountsOn(node));
    assertEquals(Map.of("allocated", false, "clean", true), row("SELECT allocated, clean FROM nodes WHERE id = :id", node),
        "free and clean once the user is gone");
    assertEquals(0, loop.tick(), "ended once");
  }

  /**
   * The expiry's user deletion is slow; meanwhile the node was scrubbed, rented and released, and
   * that release could not delete its own user. The slow deletion then ends: it removed the first
   * tenant's account only, so the node must stay unclean.
   */
  @Test
  void aSlowDeletionDoesNotMarkCleanANodeThatWasRentedAndFreedMeanwhile() throws Exception {
    SettableClock clock = new SettableClock(T0);
    long rental = new Fleet(db.jdbi(), T0).leasedNodes(1, "alive", T0).get(0);
    long node = nodeOf(rental);
    CountDownLatch deleting = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    RecordingWorkerOps workers = new RecordingWorkerOps().leftover(node, "c" + node).onCall(c -> {
      if (c.op().equals("delete")) {
        deleting.countDown();
        try {
          finish.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    ExecutorService round = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> expiring = round.submit(loop(clock, workers)::tick);
      assertTrue(deleting.await(30, TimeUnit.SECONDS), "the expiry reached the deletion");
      NodeCleanliness nodes = db.jdbi().onDemand(NodeCleanliness.class);
      long epoch = (Long) row("SELECT dirty_epoch FROM nodes WHERE id = :id", node).get("dirty_epoch");
      assertEquals(1, nodes.markClean(node, epoch, Instant.now()), "a scrub cleaned it");
      db.jdbi().useTransaction(h -> {
        h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", node); // rented
        h.attach(NodeCleanliness.class).freeDirty(List.of(node)); // released; its user is still there
      });
      finish.countDown();
      assertEquals(1, expiring.get(30, TimeUnit.SECONDS));
    } finally {
      round.shutdownNow();
    }
    assertEquals(Map.of("allocated", false, "clean", false), row("SELECT allocated, clean FROM nodes WHERE id = :id", node),
        "the second tenant's account is still to be removed: the node stays out of the pool");
  }
}
