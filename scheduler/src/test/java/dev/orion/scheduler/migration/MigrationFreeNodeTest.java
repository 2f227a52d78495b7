package dev.orion.scheduler.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.orion.common.db.Database;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * A free node that another transaction holds locked at the moment a migration looks for one (a
 * health round writing its verdict, a rent choosing) is still a free node: the migration waits for
 * the lock and moves the lease there in the same round, instead of leaving it to wait a whole
 * round as if the pool had no node to spare.
 */
class MigrationFreeNodeTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");

  @Test
  void aFreeNodeLockedForAMomentIsWaitedForNotSkipped() throws Exception {
    ExecutorService ssh = Executors.newFixedThreadPool(2);
    ExecutorService round = Executors.newSingleThreadExecutor();
    try (Database db = TestDb.fresh()) {
      Fleet fleet = new Fleet(db.jdbi(), T0);
      Fleet.Move move = fleet.migratingWithOneFreeNode(T0.plusSeconds(3600));
      long rental = move.rental();
      long free = move.free();
      SettableClock clock = new SettableClock(T0);
      Claimant me = new Claimant("migration-test", Duration.ofSeconds(30), clock);
      RecordingWorkerOps workers = new RecordingWorkerOps();
      // A long bound: the test, not the bound, decides when the lock goes.
      MigrationLoop loop = new MigrationLoop(db.jdbi(), me, new ClaimRenewer(db.jdbi(), me), 5, workers, ssh,
          Duration.ofSeconds(60));

      Future<Integer> moved;
      try (Handle holder = db.jdbi().open()) {
        holder.begin();
        holder.createQuery("SELECT id FROM nodes WHERE id = :id FOR UPDATE").bind("id", free).mapTo(Long.class).one();
        moved = round.submit(loop::tick);
        // The process list, not INNODB_TRX: InnoDB's transaction view is a cache that a tight poll
        // can keep from ever refreshing.
        Await.until("the migration waits for the free node's lock", Duration.ofSeconds(30), () ->
            moved.isDone() || db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                + " WHERE db = DATABASE() AND command = 'Query' AND info LIKE '%FOR UPDATE WAIT%'")
                .mapTo(Long.class).one()) > 0);
        assertFalse(moved.isDone(), "the round ended without waiting for the locked node");
        holder.commit(); // the other transaction ends without taking the node
      }
      assertEquals(1, moved.get(60, TimeUnit.SECONDS), "the lease moved in this round");
      long now = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT node_id FROM rentals WHERE id = :id AND status = 'active'").bind("id", rental).mapTo(Long.class).one());
      assertEquals(free, now, "the lease is active on the node that was locked");
      assertEquals(1, workers.count("create", free), "the login was made on the free node");
    } finally {
      round.shutdownNow();
      ssh.shutdownNow();
    }
  }
}
