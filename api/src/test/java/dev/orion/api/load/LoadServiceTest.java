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

  /** Events of kind load about {@code node}, as from->to, in write order. */
  static List<String> loadEvents(long node) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT CONCAT(from_status, '->', to_status) FROM events"
        + " WHERE kind = 'load' AND node_id = :n ORDER BY seq").bind("n", node).mapTo(String.class).list());
  }

  /** A flush folds queued figures exactly as folding each heartbeat at once does. */
  @Test
  void aFlushFoldsLikeOneHeartbeatAtATime() {
    LoadService queued = new LoadService(db.jdbi(), LoadConfig.defaults(), false);
    for (int s = 0; s <= 120; s++) {
      double cpu = s < 60 ? 100 : 5;
      load.record(20, cpu, 30, "cgroup-v2", T0.plusSeconds(s));
      queued.submit(21, cpu, 30, "cgroup-v2", T0.plusSeconds(s));
      if (s % 7 == 0) {
        queued.flush(); // several heartbeats per flush, and a flush now and then
      }
    }
    queued.flush();
    assertEquals(0, queued.queued());
    LoadDao.Row one = row(20);
    LoadDao.Row batched = row(21);
    assertEquals(one.cpuPercent(), batched.cpuPercent());
    assertEquals(one.memPercent(), batched.memPercent());
    assertEquals(one.loadClass(), batched.loadClass());
    assertEquals(one.classSince(), batched.classSince());
    assertEquals(one.sampledAt(), batched.sampledAt());
    assertEquals(List.of("high->moderate", "moderate->low"), loadEvents(21)); // the first heartbeat starts high
    assertEquals(loadEvents(20), loadEvents(21));
  }

  /**
   * Two replicas queue heartbeats of the same nodes and flush at the same time: every class
   * change is told once, and no replica's write is lost (a lost compare-and-set puts the figures
   * back for the next flush).
   */
  @Test
  void replicasFlushingTheSameNodesTellEachChangeOnce() throws Exception {
    LoadService a = new LoadService(db.jdbi(), LoadConfig.defaults(), false);
    LoadService b = new LoadService(db.jdbi(), LoadConfig.defaults(), false);
    int nodes = 40;
    for (int n = 0; n < nodes; n++) {
      load.record(300 + n, 0, 10, "proc", T0); // the burn starts from a known low row
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    for (int s = 1; s <= 60; s++) {
      for (int n = 0; n < nodes; n++) {
        (s % 2 == 0 ? a : b).submit(300 + n, 100, 10, "proc", T0.plusSeconds(s)); // the edge alternates
      }
      if (s % 5 == 0) {
        Future<?> fa = pool.submit(a::flush);
        Future<?> fb = pool.submit(b::flush);
        fa.get();
        fb.get();
      }
    }
    while (a.queued() + b.queued() > 0) {
      Future<?> fa = pool.submit(a::flush);
      Future<?> fb = pool.submit(b::flush);
      fa.get();
      fb.get();
    }
    pool.shutdown();
    for (int n = 0; n < nodes; n++) {
      assertEquals(List.of("low->moderate", "moderate->high"), loadEvents(300 + n), "node " + (300 + n));
      LoadDao.Row r = row(300 + n);
      assertEquals(T0.plusSeconds(60), r.sampledAt(), "the last heartbeat is folded in");
      assertTrue(r.cpuPercent() > 95, "60 s of a burn: " + r.cpuPercent());
    }
  }
}
