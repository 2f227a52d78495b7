package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.EventLog;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * A scheduler process killed with SIGKILL while it holds claims: its work waits for the claim
 * timeout, then another instance finishes it, and nothing is done twice.
 */
class KilledSchedulerTest {
  static final int LEASES = 40;
  static final Map<String, String> ENV = Map.of(
      "ORION_SCHEDULER_LOOPS", "expiry", "ORION_CLAIM_TIMEOUT", "6s",
      "ORION_EXPIRY_INTERVAL", "100ms", "ORION_EXPIRY_BATCH", "100",
      "ORION_HEALTH_PROBE_TIMEOUT", "1s");

  @Test
  void anotherSchedulerFinishesTheClaimedWorkAfterTheClaimTimeout() throws Exception {
    DbConfig cfg = TestDb.freshConfig(4);
    try (Database db = Database.connect(cfg)) {
      Instant now = Instant.now();
      List<Long> rentals = new Fleet(db.jdbi(), now).leasedNodes(LEASES, "dead", now.minusSeconds(1));
      long firstNode = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT node_id FROM rentals WHERE id = :id").bind("id", rentals.get(0)).mapTo(Long.class).one());
      EventLog events = new EventLog(db.jdbi());

      Instant claimedUntil;
      SchedulerProcess a;
      // Hold one node's row lock so A's completion blocks after its claim committed: A is then
      // provably between claiming and finishing when it is killed.
      try (Handle blocker = db.jdbi().open()) {
        blocker.begin();
        blocker.createQuery("SELECT id FROM nodes WHERE id = :id FOR UPDATE")
            .bind("id", firstNode).mapTo(Long.class).one();
        a = SchedulerProcess.start("victim", cfg, ENV);
        Await.until("A claims every due lease", Duration.ofSeconds(60),
            () -> claimedBy(db, "victim") == LEASES, a::log);
        a.kill();
        assertFalse(a.alive());
        blocker.rollback();
      }
      claimedUntil = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT MAX(claimed_until) FROM rentals WHERE claimed_by = 'victim'").mapTo(Instant.class).one());
      assertEquals(0, events.count("ended"), "A finished nothing before it died");

      try (SchedulerProcess b = SchedulerProcess.start("heir", cfg, ENV)) {
        Await.until("B ends every lease", Duration.ofSeconds(90), () -> events.liveLeases() == 0, b::log);
      }
      assertEquals(List.of(), events.duplicated("ended"));
      assertEquals(Map.of("scheduler:heir", (long) LEASES), events.byActor("ended"));
      Instant firstEnd = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT MIN(at) FROM rental_events WHERE to_status = 'ended'").mapTo(Instant.class).one());
      assertTrue(!firstEnd.isBefore(claimedUntil),
          "B waited for A's claim to lapse: first end " + firstEnd + ", claim until " + claimedUntil);
    }
  }

  static long claimedBy(Database db, String id) {
    return db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM rentals WHERE claimed_by = :id AND claimed_until IS NOT NULL")
        .bind("id", id).mapTo(Long.class).one());
  }
}
