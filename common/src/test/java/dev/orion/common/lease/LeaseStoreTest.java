package dev.orion.common.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.testkit.TestDb;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lease store on a real database: transitions, their events, and the nodes they free. */
class LeaseStoreTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static Database db;
  static long user;

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
    user = db.jdbi().withHandle(h -> h.createUpdate(
            "INSERT INTO users (username, password_hash, created_at) VALUES ('store', 'x', :t)")
        .bind("t", T0).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  static long node(Handle h) {
    return h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, status,"
            + " allocated, clean, registered_at, last_seen_at) VALUES (:h, '127.0.0.1', 22, 'k', 'f', 'alive', 0, 1,"
            + " :t, :t)")
        .bind("h", "n" + System.nanoTime()).bind("t", T0).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
  }

  static long open(Handle h, long node) {
    return LeaseStore.on(h).open(new LeaseStore.NewLease(user, node, "c_store", "$6$x$y", null, T0,
        T0.plusSeconds(3600)), "test", "rented");
  }

  static Lease lock(Handle h, long lease) {
    return LeaseStore.on(h).lock(lease).orElseThrow();
  }

  static Map<String, Object> node(long id) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT allocated, clean, dirty_epoch FROM nodes WHERE id = :id")
        .bind("id", id).mapToMap().one());
  }

  static List<String> events(long lease) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT CONCAT(COALESCE(from_status, '-'), '>', to_status)"
        + " FROM events WHERE kind = 'lease' AND lease_id = :id ORDER BY seq").bind("id", lease).mapTo(String.class)
        .list());
  }

  @Test
  void everyTransitionWritesItsEventAndIllegalOnesThrow() {
    long[] ids = db.jdbi().inTransaction(h -> {
      long n = node(h);
      long l = open(h, n);
      LeaseStore.on(h).activate(lock(h, l), T0, "test", "created");
      return new long[] {n, l};
    });
    long lease = ids[1];
    assertEquals(true, node(ids[0]).get("allocated"));
    // Activating twice, or reserving for a lease that is not migrating, is a bug: it throws.
    assertThrows(IllegalStateException.class,
        () -> db.jdbi().useTransaction(h -> LeaseStore.on(h).activate(lock(h, lease), T0, "test", "again")));
    assertThrows(IllegalStateException.class,
        () -> db.jdbi().useTransaction(h -> LeaseStore.on(h).reserve(lock(h, lease), ids[0])));
    db.jdbi().useTransaction(h -> LeaseStore.on(h).end(List.of(lock(h, lease)), EndReason.RELEASED, T0, "test",
        l -> "released"));
    assertThrows(IllegalStateException.class, () -> db.jdbi().useTransaction(h -> LeaseStore.on(h)
        .end(List.of(lock(h, lease)), EndReason.EXPIRED, T0, "test", l -> "twice")));
    assertEquals(List.of("->provisioning", "provisioning>active", "active>ended"), events(lease));
    assertEquals(false, node(ids[0]).get("allocated"));
    assertEquals(false, node(ids[0]).get("clean"));
  }

  @Test
  void endingAMigratingLeaseFreesTheNodeItsRowReserves() {
    long[] ids = db.jdbi().inTransaction(h -> {
      long home = node(h);
      long target = node(h);
      long l = open(h, home);
      LeaseStore store = LeaseStore.on(h);
      store.activate(lock(h, l), T0, "test", "created");
      store.startMigration(List.of(lock(h, l)), T0, "test", x -> "node died");
      assertTrue(store.reserve(lock(h, l), target));
      return new long[] {home, target, l};
    });
    assertEquals(true, node(ids[1]).get("allocated"), "the target is reserved");
    db.jdbi().useTransaction(h -> LeaseStore.on(h).end(List.of(lock(h, ids[2])), EndReason.EXPIRED, T0, "test",
        l -> "expired"));
    assertEquals(false, node(ids[0]).get("allocated"));
    assertEquals(false, node(ids[1]).get("allocated"), "the reservation went with the lease");
    assertEquals(false, node(ids[1]).get("clean"), "freed dirty: the login may be on it");
  }

  @Test
  void aMoveFreesTheOldNodeAndOnlyGoesWhereTheRowReserves() {
    long[] ids = db.jdbi().inTransaction(h -> {
      long home = node(h);
      long target = node(h);
      long elsewhere = node(h);
      long l = open(h, home);
      LeaseStore store = LeaseStore.on(h);
      store.activate(lock(h, l), T0, "test", "created");
      store.startMigration(List.of(lock(h, l)), T0, "test", x -> "node died");
      store.reserve(lock(h, l), target);
      return new long[] {home, target, elsewhere, l};
    });
    assertThrows(IllegalStateException.class, () -> db.jdbi().useTransaction(
        h -> LeaseStore.on(h).finishMigration(lock(h, ids[3]), ids[2], T0, "test", "moved")));
    db.jdbi().useTransaction(h -> LeaseStore.on(h).finishMigration(lock(h, ids[3]), ids[1], T0, "test", "moved"));
    Lease moved = db.jdbi().inTransaction(h -> lock(h, ids[3]));
    assertEquals(ids[1], moved.nodeId());
    assertEquals(null, moved.targetNodeId());
    assertEquals(LeaseStatus.ACTIVE, moved.status());
    assertEquals(false, node(ids[0]).get("allocated"), "the dead node is free (dirty)");
    assertEquals(true, node(ids[1]).get("allocated"));
    assertEquals(List.of("->provisioning", "provisioning>active", "active>migrating", "migrating>active"),
        events(ids[3]));
  }

  @Test
  void aCleanupThatStartedBeforeTheNodeWasRentedAndFreedAgainDoesNotMarkItClean() {
    long n = db.jdbi().inTransaction(LeaseStoreTest::node);
    NodeCleanliness nodes = db.jdbi().onDemand(NodeCleanliness.class);
    long first = db.jdbi().inTransaction(h -> {
      long l = open(h, n);
      return h.attach(NodeCleanliness.class).freeDirty(List.of(n)).get(n);
    });
    // Someone else's cleanup finished first, the node was rented and freed again...
    assertEquals(1, nodes.markClean(n, first, T0));
    long second = db.jdbi().inTransaction(h -> {
      h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", n);
      return h.attach(NodeCleanliness.class).freeDirty(List.of(n)).get(n);
    });
    assertTrue(second > first);
    // ...and the slow first cleanup ends now: it vouches for nothing of the second tenant's.
    assertEquals(0, nodes.markClean(n, first, T0));
    assertEquals(false, node(n).get("clean"));
    assertEquals(1, nodes.markClean(n, second, T0));
    assertFalse(nodes.markClean(n, second, T0) == 1, "once");
  }

  @Test
  void aNodeMarkedCleanWakesTheJobOfItsPoolThatWaitedLongestForAWorker() {
    long[] n = db.jdbi().inTransaction(h -> new long[] {node(h), node(h), node(h)});
    db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET pool = 'wake' WHERE id IN (?, ?)", n[0], n[1]));
    long second = parkedJob("wake", "Unschedulable", 20);
    long first = parkedJob("wake", "Unschedulable", 10);
    long asleep = parkedJob("wake", "PoolAsleep", 5);
    long elsewhere = parkedJob("other", "Unschedulable", 1);
    NodeCleanliness nodes = db.jdbi().onDemand(NodeCleanliness.class);
    Map<Long, Long> epochs = db.jdbi().inTransaction(h -> h.attach(NodeCleanliness.class).freeDirty(
        List.of(n[0], n[1], n[2])));

    assertEquals(1, nodes.markClean(n[0], epochs.get(n[0]), T0));
    assertEquals(List.of(0L, 20L, 5L, 1L), dueIn(first, second, asleep, elsewhere), "the longest waiting one only");
    assertEquals(0, nodes.markClean(n[0], epochs.get(n[0]), T0));
    assertEquals(List.of(0L, 20L, 5L, 1L), dueIn(first, second, asleep, elsewhere), "a node cleaned once wakes once");
    assertEquals(1, nodes.markClean(n[2], epochs.get(n[2]), T0));
    assertEquals(List.of(0L, 20L, 5L, 1L), dueIn(first, second, asleep, elsewhere), "another pool's node: none");
    assertEquals(1, nodes.markClean(n[1], epochs.get(n[1]), T0));
    assertEquals(List.of(0L, 0L, 5L, 1L), dueIn(first, second, asleep, elsewhere));
  }

  @Test
  void twoNodesCleanedAtOnceWakeTwoJobs() throws Exception {
    long[] n = db.jdbi().inTransaction(h -> new long[] {node(h), node(h)});
    db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET pool = 'pair' WHERE id IN (?, ?)", n[0], n[1]));
    long first = parkedJob("pair", "Unschedulable", 10);
    long second = parkedJob("pair", "Unschedulable", 20);
    long third = parkedJob("pair", "Unschedulable", 30);
    Map<Long, Long> epochs = db.jdbi().inTransaction(h -> h.attach(NodeCleanliness.class).freeDirty(
        List.of(n[0], n[1])));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (Handle open = db.jdbi().open()) {
      open.begin(); // the first cleaning's transaction is still open when the second reads the waiting jobs
      assertEquals(1, open.attach(NodeCleanliness.class).markClean(n[0], epochs.get(n[0]), T0));
      Future<Integer> cleaning = other.submit(
          () -> db.jdbi().onDemand(NodeCleanliness.class).markClean(n[1], epochs.get(n[1]), T0));
      Thread.sleep(300);
      open.commit();
      assertEquals(1, cleaning.get(30, TimeUnit.SECONDS));
    } finally {
      other.shutdownNow();
    }
    assertEquals(List.of(0L, 0L, 30L), dueIn(first, second, third), "one job each, the two waiting longest");
  }

  /** A pending job that found no worker (or its pool asleep), looked at again in {@code seconds}. */
  static long parkedJob(String pool, String reason, int seconds) {
    return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO jobs (user_id, name, pool, spec, reason, created_at,"
            + " due_at) VALUES (:u, 'parked', :pool, '{}', :reason, :t, :due)")
        .bind("u", user).bind("pool", pool).bind("reason", reason).bind("t", T0).bind("due", T0.plusSeconds(seconds))
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  static List<Long> dueIn(long... jobs) {
    return java.util.Arrays.stream(jobs).mapToObj(j -> db.jdbi().withHandle(h -> h.createQuery(
            "SELECT due_at FROM jobs WHERE id = :id").bind("id", j).mapTo(Instant.class).one()))
        .map(due -> java.time.Duration.between(T0, due).toSeconds()).toList();
  }
}
