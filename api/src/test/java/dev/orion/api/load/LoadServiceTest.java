package dev.orion.api.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.load.LoadClass;
import dev.orion.testkit.TestDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoadServiceTest {
  static final Instant T0 = Instant.parse("2027-01-01T00:00:00Z");
  static Database db;
  static LoadService load;

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
    load = new LoadService(db.jdbi(), LoadConfig.defaults());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  Optional<LoadService.ClassChange> beat(long node, double cpu, int second) {
    return load.record(node, cpu, 20, "cgroup-v1", T0.plusSeconds(second));
  }

  LoadDao.Row row(long node) {
    return db.jdbi().withExtension(LoadDao.class, d -> d.get(node)).orElseThrow();
  }

  @Test
  void aBurnShowsAfterTheTimeConstantNotAtOnce() {
    assertEquals(Optional.empty(), beat(1, 5, 0));
    assertEquals("low", row(1).loadClass());
    List<LoadService.ClassChange> changes = new ArrayList<>();
    int second = 0;
    while (second < 120) {
      second += 1;
      beat(1, 100, second).ifPresent(changes::add);
    }
    assertEquals(List.of(LoadClass.LOW, LoadClass.MODERATE), changes.stream().map(LoadService.ClassChange::from).toList());
    assertEquals(List.of(LoadClass.MODERATE, LoadClass.HIGH), changes.stream().map(LoadService.ClassChange::to).toList());
    LoadDao.Row r = row(1);
    assertEquals("high", r.loadClass());
    assertTrue(r.cpuPercent() > 99, "after 8 time constants: " + r.cpuPercent());
    assertEquals("cgroup-v1", r.source());
    // with tau = 15 s and 3 points of hysteresis: moderate once past 36 % (~7 s), high past 69 % (~18 s)
    Instant high = r.classSince();
    assertTrue(high.isAfter(T0.plusSeconds(15)) && high.isBefore(T0.plusSeconds(22)), high.toString());
  }

  @Test
  void aNodeHoveringAtABorderKeepsItsClass() {
    beat(2, 40, 0); // moderate from the start
    for (int s = 1; s <= 200; s++) {
      assertEquals(Optional.empty(), beat(2, s % 2 == 0 ? 31 : 35, s), "second " + s);
    }
    assertEquals("moderate", row(2).loadClass());
    assertEquals(T0, row(2).classSince());
  }

  @Test
  void anUnknownSourceIsRecordedAsUnknown() {
    load.record(3, 1, 1, "made-up", T0);
    assertEquals("unknown", row(3).source());
  }

  /**
   * A fleet's first heartbeats arrive together (after a restart, thousands of nodes within a
   * heartbeat interval): none of them may wait on, or deadlock with, another node's.
   */
  @Test
  void firstHeartbeatsOfManyNodesAtOnceDoNotDeadlock() throws Exception {
    long before = deadlocks();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < 60; i++) {
          load.record(1000 + i * 16 + thread, 50, 20, "proc", T0); // neighbouring keys: other threads'
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(960, (int) db.jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM node_load WHERE node_id >= 1000").mapTo(Integer.class).one()));
    assertEquals(before, deadlocks(), "deadlocks (each retried, but each a wasted round trip)");
  }

  /** The server's deadlock count (MariaDB's Innodb_deadlocks). */
  static long deadlocks() {
    return db.jdbi().withHandle(h -> h.createQuery("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")
        .map((rs, ctx) -> rs.getLong(2)).one());
  }

  /** Replicas fold in heartbeats of one node at once, the very first ones included. */
  @Test
  void concurrentHeartbeatsOfOneNodeTakeTurns() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          beat(4, 50, thread * 25 + i);
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(50.0, row(4).cpuPercent());
  }
}
