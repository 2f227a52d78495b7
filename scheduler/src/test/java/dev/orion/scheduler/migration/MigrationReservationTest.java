package dev.orion.scheduler.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.time.SettableClock;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
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
import org.junit.jupiter.api.Test;

/**
 * A migration whose login could not be made on its reserved node gives up the reservation its
 * lease row records, and nothing else: a node that belongs to another lease by the time the
 * failure is handled stays allocated.
 */
class MigrationReservationTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");

  /** Creating the login on a reserved node fails, after the test has had its say. */
  static final class FailingCreate implements WorkerOps {
    final CountDownLatch creating = new CountDownLatch(1);
    final CountDownLatch fail = new CountDownLatch(1);

    @Override
    public ExecResult run(WorkerEndpoint worker, String command) {
      return new ExecResult(0, "", "");
    }

    @Override
    public void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException {
      creating.countDown();
      try {
        fail.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new WorkerException(worker, "create", WorkerException.Kind.COMMAND_FAILED, "no space left");
    }

    @Override
    public void deleteAccount(WorkerEndpoint worker, String user) {}

    @Override
    public List<String> listAccounts(WorkerEndpoint worker) {
      return List.of();
    }
  }

  @Test
  void aFailedMoveFreesOnlyWhatTheLeaseRowReserves() throws Exception {
    try (Database db = TestDb.fresh()) {
      Fleet fleet = new Fleet(db.jdbi(), T0);
      Fleet.Move move = fleet.migratingWithOneFreeNode(T0.plusSeconds(3600));
      long rental = move.rental();
      long free = move.free();
      SettableClock clock = new SettableClock(T0);
      Claimant me = new Claimant("migration-test", Duration.ofSeconds(30), clock);
      FailingCreate workers = new FailingCreate();
      ExecutorService ssh = Executors.newFixedThreadPool(2);
      try {
        MigrationLoop loop = new MigrationLoop(db.jdbi(), me, new ClaimRenewer(db.jdbi(), me), 5, workers, ssh);
        Future<Integer> round = Executors.newSingleThreadExecutor().submit(loop::tick);
        assertTrue(workers.creating.await(30, TimeUnit.SECONDS));
        assertEquals(Map.of("target", free, "allocated", true), db.jdbi().withHandle(h -> h.createQuery(
                "SELECT r.target_node_id AS target, n.allocated FROM rentals r JOIN nodes n ON n.id = r.target_node_id"
                    + " WHERE r.id = :id").bind("id", rental).mapToMap().one()), "the free node is reserved");
        // Meanwhile the reservation was given up and the node rented to someone else (a release
        // used to do that under a running migration).
        long other = db.jdbi().inTransaction(h -> {
          h.execute("UPDATE rentals SET target_node_id = NULL WHERE id = ?", rental);
          return h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status,"
                  + " created_at, leased_until) VALUES (:u, :n, 'c_other', '$6$x$y', 'active', :t, :until)")
              .bind("u", fleet.userId()).bind("n", free).bind("t", T0).bind("until", T0.plusSeconds(3600))
              .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        });
        workers.fail.countDown();
        assertEquals(0, round.get(30, TimeUnit.SECONDS), "nothing moved");
        assertEquals(true, db.jdbi().withHandle(h -> h.createQuery("SELECT allocated FROM nodes WHERE id = :id")
            .bind("id", free).mapTo(Boolean.class).one()), "lease " + other + "'s node is still allocated");
        assertEquals("migrating", db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM rentals WHERE id = :id")
            .bind("id", rental).mapTo(String.class).one()), "the lease waits for the next round");
      } finally {
        ssh.shutdownNow();
      }
    }
  }
}
