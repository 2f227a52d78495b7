package dev.orion.scheduler.claim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.scrub.DirtyNode;
import dev.orion.scheduler.scrub.ScrubDao;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * How long a claim lives: no longer than its round, whether the round completes, fails or throws,
 * and through a graceful shutdown, which finishes the rounds under way with their claims renewed
 * and leaves nothing claimed behind.
 */
class ClaimLifecycleTest {
  static final Duration CLAIM = ClaimQueueTest.CLAIM;

  /** The scrub queue's own rows and queries, driven by hand with a settable clock. */
  static ClaimQueue<DirtyNode> scrubQueue(Jdbi jdbi, Claimant who, ClaimRenewer renewer) {
    return new ClaimQueue<>("scrub", ClaimTable.NODES, jdbi, who, renewer, new ClaimQueue.Source<>() {
      @Override
      public List<Long> lockDue(Handle h, Instant now, int limit) {
        return h.attach(ScrubDao.class).lockDue(now, limit);
      }

      @Override
      public List<DirtyNode> load(Handle h, List<Long> ids) {
        return h.attach(ScrubDao.class).load(ids);
      }

      @Override
      public long id(DirtyNode item) {
        return item.id();
      }
    });
  }

  @Test
  void aRoundThatThrowsLetsGoOfItsClaimsAndAnotherInstanceTakesThemAtOnce() {
    DbConfig cfg = TestDb.freshConfig(4);
    try (Database db = Database.connect(cfg)) {
      long node = ClaimQueueTest.uncleanNode(db);
      SettableClock clock = new SettableClock(Instant.parse("2026-06-01T00:00:00Z"));
      Claimant a = new Claimant("a", CLAIM, clock);
      ClaimRenewer renewerA = new ClaimRenewer(db.jdbi(), a);
      ClaimQueue<DirtyNode> queueA = scrubQueue(db.jdbi(), a, renewerA);

      IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> queueA.claim(10, claims -> {
        assertEquals(List.of(node), claims.stream().map(Claim::id).toList());
        assertEquals(1, renewerA.holding(), "renewed while the round runs");
        assertEquals(1, renewerA.renew());
        throw new IllegalStateException("the decision code failed between claim and completion");
      }));
      assertTrue(thrown.getMessage().startsWith("the decision code failed"), "the round's own failure surfaces");
      assertEquals(0, renewerA.holding(), "no longer renewed once the round is over");
      assertEquals(0, renewerA.renew());
      assertNull(claimedUntil(db, node), "released, not left to lapse");

      // Another instance, at the same instant (well inside A's claim timeout), takes the node.
      Claimant b = new Claimant("b", CLAIM, clock);
      ClaimRenewer renewerB = new ClaimRenewer(db.jdbi(), b);
      ClaimQueue<DirtyNode> queueB = scrubQueue(db.jdbi(), b, renewerB);
      List<Long> done = queueB.claim(10,
          claims -> queueB.complete(claims, (h, held) -> held.stream().map(Claim::id).toList()));
      assertEquals(List.of(node), done);
      assertEquals("b", ClaimQueueTest.claimedBy(db, node));

      // A round that returns without completing or releasing (a forgotten path) lets go too.
      db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET claimed_by = NULL, claimed_until = NULL WHERE id = ?", node));
      assertEquals(1, (int) queueA.claim(10, List::size));
      assertEquals(0, renewerA.holding());
      assertNull(claimedUntil(db, node));
    }
  }

  @Test
  void releaseAllLetsGoOfClaimsStillHeldAndTheirRoundThenWritesNothing() {
    DbConfig cfg = TestDb.freshConfig(4);
    try (Database db = Database.connect(cfg)) {
      long node = ClaimQueueTest.uncleanNode(db);
      SettableClock clock = new SettableClock(Instant.parse("2026-06-01T00:00:00Z"));
      Claimant a = new Claimant("a", CLAIM, clock);
      ClaimRenewer renewerA = new ClaimRenewer(db.jdbi(), a);
      ClaimQueue<DirtyNode> queueA = scrubQueue(db.jdbi(), a, renewerA);
      List<Long> written = queueA.claim(10, claims -> {
        assertEquals(1, renewerA.releaseAll(), "the shutdown's last step");
        assertTrue(claims.get(0).lost(), "the round can see it lost its claim");
        assertNull(claimedUntil(db, node));
        return queueA.complete(claims, (h, held) -> held.stream().map(Claim::id).toList());
      });
      assertEquals(List.of(), written, "the fence found the claim gone");
      assertEquals(0, renewerA.holding());
    }
  }

  /**
   * A migration round whose worker call throws a RuntimeException (not a WorkerException): the
   * instance logs it and goes on, and must not keep the lease claimed, or it stays migrating with
   * no other scheduler able to move it.
   */
  @Test
  void aMigrationWhoseWorkerCallThrowsIsTakenOverByAnotherInstance() {
    DbConfig cfg = TestDb.freshConfig(8);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      long rental = fleet.leasedNodes(1, "dead", Instant.now().plus(Duration.ofHours(1))).get(0);
      db.jdbi().useHandle(h -> h.execute("UPDATE rentals SET status = 'migrating' WHERE id = ?", rental));
      long free = db.jdbi().inTransaction(h -> Fleet.nodes(h, 1, "alive", false).get(0));

      Map<String, String> env = new HashMap<>(ClaimQueueTest.env());
      env.put("ORION_SCHEDULER_LOOPS", "migration");
      env.put("ORION_MIGRATION_INTERVAL", "60s"); // one round: the other instance then owns the lease
      AtomicBoolean attempted = new AtomicBoolean();
      RecordingWorkerOps failing = new RecordingWorkerOps().onCall(c -> {
        if (c.op().equals("create")) {
          attempted.set(true);
          throw new IllegalStateException("worker library bug");
        }
      });
      RecordingWorkerOps working = new RecordingWorkerOps();
      try (Scheduler a = new Scheduler(Instances.config("a", cfg, env), db, Clock.systemUTC(), failing).start()) {
        Await.until("the first instance tried and failed", Duration.ofSeconds(30), attempted::get);
        env.put("ORION_MIGRATION_INTERVAL", "100ms");
        try (Scheduler b = new Scheduler(Instances.config("b", cfg, env), db, Clock.systemUTC(), working)
            .start()) {
          Await.until("the other instance moved the lease", Duration.ofSeconds(30), () -> "active".equals(
              db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM rentals WHERE id = :r")
                  .bind("r", rental).mapTo(String.class).one())));
        }
      }
      assertEquals(free, (long) db.jdbi().withHandle(h -> h.createQuery("SELECT node_id FROM rentals WHERE id = :r")
          .bind("r", rental).mapTo(Long.class).one()));
      assertEquals(List.of("scheduler:b"), db.jdbi().withHandle(h -> h.createQuery(
              "SELECT actor FROM rental_events WHERE rental_id = :r AND to_status = 'active'")
          .bind("r", rental).mapTo(String.class).list()));
      assertEquals(1, working.count("create", free));
    }
  }

  /**
   * SIGTERM while a round does slow worker calls (longer than the claim timeout): the round
   * finishes with its claim renewed all along, its completion counts, and nothing stays claimed.
   */
  @Test
  void closingDuringASlowRoundKeepsItsClaimRenewedUntilItEndsThenReleasesIt() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    try (Database db = Database.connect(cfg)) {
      long node = ClaimQueueTest.uncleanNode(db);
      CountDownLatch working = new CountDownLatch(1);
      // Listing and deleting take 4 s each: 8 s of work, over two claim timeouts.
      RecordingWorkerOps slow = new RecordingWorkerOps().leftover(node, "c_left").delay(CLAIM.plusSeconds(1))
          .onCall(c -> working.countDown());
      Scheduler a = new Scheduler(Instances.config("a", cfg, ClaimQueueTest.env()), db, Clock.systemUTC(), slow)
          .start();
      try {
        assertTrue(working.await(30, TimeUnit.SECONDS), "the round started its worker calls");
        Instant before = claimedUntil(db, node);
        AtomicReference<Instant> latest = new AtomicReference<>(before);
        AtomicBoolean closing = new AtomicBoolean(true);
        Thread watch = new Thread(() -> {
          while (closing.get()) {
            Instant u = claimedUntil(db, node);
            if (u != null && u.isAfter(latest.get())) {
              latest.set(u);
            }
            try {
              Thread.sleep(50);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        watch.start();
        a.close();
        closing.set(false);
        watch.join();
        assertTrue(latest.get().isAfter(before), "renewed while the round finished: " + before + " -> " + latest);
      } finally {
        a.close();
      }
      assertTrue(ClaimQueueTest.clean(db, node), "the round's completion was not lost to a lapsed claim");
      assertEquals(1, slow.count("delete", node));
      assertEquals("a", ClaimQueueTest.claimedBy(db, node));
      assertNull(claimedUntil(db, node), "nothing left claimed after close");
    }
  }

  static Instant claimedUntil(Database db, long node) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT claimed_until FROM nodes WHERE id = :id")
        .bind("id", node).mapTo(Instant.class).one());
  }
}
