package dev.orion.scheduler.claim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.scheduler.health.HealthDao;
import dev.orion.scheduler.metrics.QueueDepthDao;
import dev.orion.scheduler.migration.MigrationDao;
import dev.orion.scheduler.scrub.ScrubDao;
import dev.orion.testkit.TestDb;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A forgotten node's row stays (its leases' history) but no queue ever takes it: not the health
 * checks, not the scrub, not a migration looking for a free node, and no queue counts it as due.
 */
class ForgottenNodeQueuesTest {
  static Database db;
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  long node(String hostname, String status, boolean clean) {
    return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
            + " host_key_fingerprint, status, allocated, clean, registered_at, last_seen_at)"
            + " VALUES (:h, '127.0.0.1', 22, 'k', 'f', :s, 0, :c, :now, :now)")
        .bind("h", hostname).bind("s", status).bind("c", clean).bind("now", NOW)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  @Test
  void noQueueTakesAForgottenNode() {
    // Due for a check, unclean, free and clean: everything a queue looks for, but forgotten.
    long dirty = node("gone-dirty", "forgotten", false);
    long free = node("gone-clean", "forgotten", true);
    assertEquals(List.of(), db.jdbi().inTransaction(h -> h.attach(HealthDao.class).lockDue(NOW, 100)));
    assertEquals(List.of(), db.jdbi().inTransaction(h -> h.attach(ScrubDao.class).lockDue(NOW, 100)));
    assertEquals(Optional.empty(), db.jdbi().inTransaction(h -> h.attach(MigrationDao.class).lockFreeNode("default")));
    Map<String, Long> depths = db.jdbi().withExtension(QueueDepthDao.class, d -> d.depths(NOW, NOW)).stream()
        .collect(Collectors.toMap(QueueDepthDao.Depth::queue, QueueDepthDao.Depth::depth));
    assertEquals(0L, depths.get("health"));
    assertEquals(0L, depths.get("scrub"));

    // The same rows, alive, are taken by each: the queries do look at them.
    db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET status = 'alive' WHERE id IN (?, ?)", dirty, free));
    assertEquals(java.util.Set.of(dirty, free),
        java.util.Set.copyOf(db.jdbi().inTransaction(h -> h.attach(HealthDao.class).lockDue(NOW, 100))));
    assertEquals(List.of(dirty), db.jdbi().inTransaction(h -> h.attach(ScrubDao.class).lockDue(NOW, 100)));
    assertEquals(Optional.of(free), db.jdbi().inTransaction(h -> h.attach(MigrationDao.class).lockFreeNode("default")));
  }
}
