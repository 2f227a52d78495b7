package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.EventLog;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several schedulers on one queue of due leases: each lease is ended exactly once. */
class ExpiryRaceTest {
  static final int LEASES = 600;

  @ParameterizedTest(name = "{0} schedulers")
  @ValueSource(ints = {2, 3})
  void schedulersRacingOnOneQueueEndEachLeaseOnce(int instances) {
    DbConfig cfg = TestDb.freshConfig(4);
    List<Database> pools = new ArrayList<>();
    List<Scheduler> schedulers = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      Instant now = Instant.now();
      Fleet fleet = new Fleet(db.jdbi(), now);
      // Dead nodes: expiry needs no SSH, so the race is purely over the queue.
      fleet.leasedNodes(LEASES, "dead", now.plus(Duration.ofHours(1)));
      for (int i = 0; i < instances; i++) {
        Database pool = Database.connect(cfg);
        pools.add(pool);
        // Small batches and a short interval so the instances interleave many times.
        schedulers.add(new Scheduler(Instances.config("s" + i, cfg, Map.of(
            "ORION_SCHEDULER_LOOPS", "expiry", "ORION_EXPIRY_BATCH", "25",
            "ORION_EXPIRY_INTERVAL", "10ms")), pool, Clock.systemUTC()).start());
      }
      fleet.dueAll(now.minusSeconds(1));

      EventLog events = new EventLog(db.jdbi());
      Await.until("every lease ended", Duration.ofSeconds(60), () -> events.liveLeases() == 0,
          () -> events.byActor("ended").toString());
      schedulers.forEach(Scheduler::close);

      assertEquals(List.of(), events.duplicated("ended"), "leases ended twice");
      assertEquals(LEASES, events.count("ended"));
      Map<String, Long> shares = events.byActor("ended");
      assertEquals(LEASES, shares.values().stream().mapToLong(Long::longValue).sum());
      System.out.println(instances + " schedulers, ended per instance: " + shares);
      long stillHeld = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM nodes WHERE allocated = 1 OR clean = 1").mapTo(Long.class).one());
      assertEquals(0, stillHeld, "every node freed but left unclean for the scrub loop");
    } finally {
      schedulers.forEach(Scheduler::close);
      pools.forEach(Database::close);
    }
  }
}
