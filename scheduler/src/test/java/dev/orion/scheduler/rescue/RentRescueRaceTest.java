package dev.orion.scheduler.rescue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.Limits;
import dev.orion.api.auth.Principal;
import dev.orion.api.rental.Provisioner;
import dev.orion.api.rental.RentRequests;
import dev.orion.api.rental.RentalService;
import dev.orion.common.db.Database;
import dev.orion.common.lease.RescueBound;
import dev.orion.common.problem.OrionException;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A rent slower than the rescue bound (its worker hangs) loses its lease to the scheduler's rescue:
 * it must not activate it afterwards, must say why, and must leave the node to the scrub rather
 * than vouch for it. The API's rent and the rescue loop share the clock and the database.
 */
class RentRescueRaceTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");

  @Test
  void aRentTheRescueEndedIsNotActivatedAndSaysWhy() throws Exception {
    try (Database db = TestDb.fresh()) {
      Fleet fleet = new Fleet(db.jdbi(), T0);
      long node = db.jdbi().inTransaction(h -> Fleet.nodes(h, 1, "alive", false).get(0));
      SettableClock clock = new SettableClock(T0);
      CountDownLatch creating = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      RecordingWorkerOps workers = new RecordingWorkerOps().onCall(c -> {
        if (c.op().equals("create")) {
          creating.countDown();
          try {
            finish.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      ExecutorService client = Executors.newSingleThreadExecutor();
      try (Provisioner provisioner = new Provisioner(workers, 2)) {
        RentalService api = new RentalService(db.jdbi(), provisioner, clock, () -> { }, Limits.defaults(),
            dev.orion.api.rental.SleepingPools.NONE, RescueBound.DEFAULT);
        Principal caller = new Principal(fleet.userId(), "client", Principal.USER);
        Future<?> rent = client.submit(() -> api.rent(caller,
            new RentRequests.Rent(BigDecimal.ONE, null, 1, "password-123456", null)));
        assertTrue(creating.await(30, TimeUnit.SECONDS), "the rent is creating the account");

        clock.advance(RescueBound.DEFAULT.plusSeconds(1));
        Claimant scheduler = new Claimant("rescuer", Duration.ofSeconds(30), clock);
        RescueLoop rescue = new RescueLoop(db.jdbi(), scheduler, new ClaimRenewer(db.jdbi(), scheduler),
            RescueBound.DEFAULT, 10);
        assertEquals(1, rescue.tick());
        long lease = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM rentals WHERE node_id = :n")
            .bind("n", node).mapTo(Long.class).one());

        finish.countDown();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> rent.get(30, TimeUnit.SECONDS));
        OrionException e = assertInstanceOf(OrionException.class, failed.getCause());
        assertEquals(502, e.status());
        assertTrue(e.detail().contains("ORION_RESCUE_AFTER") && e.detail().contains("nothing is allocated"),
            e.detail());
        assertEquals(Map.of("status", "ended", "end_reason", "failed"), db.jdbi().withHandle(h -> h.createQuery(
            "SELECT status, end_reason FROM rentals WHERE id = :id").bind("id", lease).mapToMap().one()));
        assertEquals(List.of("->provisioning", "provisioning>ended"), db.jdbi().withHandle(h -> h.createQuery(
                "SELECT CONCAT(COALESCE(from_status, '-'), '>', to_status) FROM events WHERE lease_id = :id"
                    + " ORDER BY seq").bind("id", lease).mapTo(String.class).list()),
            "never activated");
        assertEquals(java.util.Set.of(), workers.accountsOn(node), "the account it created is deleted");
        assertEquals(Map.of("allocated", false, "clean", false), db.jdbi().withHandle(h -> h.createQuery(
                "SELECT allocated, clean FROM nodes WHERE id = :id").bind("id", node).mapToMap().one()),
            "free, and left to the scrub: the rent does not vouch for a node it no longer holds");
      } finally {
        client.shutdownNow();
      }
    }
  }
}
