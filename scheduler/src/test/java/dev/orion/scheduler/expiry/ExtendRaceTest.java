package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.api.auth.Principal;
import dev.orion.api.rental.RentRequests;
import dev.orion.api.rental.RentalService;
import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.problem.OrionException;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.EventLog;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.TestDb;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Clients extending leases (through the API's own RentalService) at the very moment they expire:
 * for each lease exactly one side wins, and the database agrees with what each side was told.
 */
class ExtendRaceTest {
  static final int LEASES = 300;

  @Test
  void extendRacingExpiryHasExactlyOneWinnerPerLease() throws Exception {
    DbConfig cfg = TestDb.freshConfig(12);
    try (Database db = Database.connect(cfg); Database schedulerPool = Database.connect(cfg)) {
      Instant due = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(1);
      Fleet fleet = new Fleet(db.jdbi(), due);
      List<Long> rentals = fleet.leasedNodes(LEASES, "dead", due);
      // The API's clock lags the scheduler's by a millisecond: to it every lease is still running,
      // to the scheduler every lease is over. Only the claim and the conditional end decide.
      RentalService api = new RentalService(db.jdbi(), null, new SettableClock(due.minusMillis(1)), () -> { });
      Principal client = new Principal(fleet.userId(), "client", Principal.USER);
      Set<Long> extended = ConcurrentHashMap.newKeySet();
      Set<Long> refused = ConcurrentHashMap.newKeySet();
      ExecutorService clients = Executors.newFixedThreadPool(6);
      try (Scheduler scheduler = new Scheduler(Instances.config("x", cfg, Map.of(
          "ORION_SCHEDULER_LOOPS", "expiry", "ORION_EXPIRY_BATCH", "10",
          "ORION_EXPIRY_INTERVAL", "1ms")), schedulerPool, Clock.systemUTC())) {
        List<Long> order = new ArrayList<>(rentals);
        Collections.shuffle(order);
        List<Future<?>> done = new ArrayList<>();
        scheduler.start();
        for (long id : order) {
          done.add(clients.submit(() -> {
            try {
              api.extend(client, id, new RentRequests.Extend(BigDecimal.ONE));
              extended.add(id);
            } catch (OrionException e) {
              if (e.status() != 409) {
                throw e;
              }
              refused.add(id);
            }
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
        EventLog events = new EventLog(db.jdbi());
        Await.until("every refused lease ended", Duration.ofSeconds(60),
            () -> events.count("ended") == refused.size(), () -> events.byActor("ended").toString());
      } finally {
        clients.shutdownNow();
      }

      System.out.println("extend won " + extended.size() + ", expiry won " + refused.size());
      assertEquals(LEASES, extended.size() + refused.size());
      Set<Long> ended = Set.copyOf(db.jdbi().withHandle(h -> h.createQuery(
          "SELECT id FROM rentals WHERE status = 'ended'").mapTo(Long.class).list()));
      Set<Long> activeLater = Set.copyOf(db.jdbi().withHandle(h -> h.createQuery(
              "SELECT id FROM rentals WHERE status = 'active' AND leased_until = :u")
          .bind("u", due.plus(Duration.ofHours(1))).mapTo(Long.class).list()));
      assertEquals(refused, ended, "exactly the leases whose extension was refused ended");
      assertEquals(extended, activeLater, "every confirmed extension holds");
      assertEquals(List.of(), new EventLog(db.jdbi()).duplicated("ended"));
    }
  }
}
