package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler on a real MariaDB with a settable clock, a recording driver and workers whose
 * SSH answer each test chooses: who sleeps, who is left alone, and that waking gives back exactly
 * what this pool took, even when another scheduler instance (a restart) does the waking.
 */
class PoolReconcilerTest {
  static final Instant T0 = Instant.parse("2027-03-10T12:00:00Z");

  Database db;
  Jdbi jdbi;
  SettableClock clock;
  ExecutorService steps;
  final List<String> driverCalls = new CopyOnWriteArrayList<>();
  final Set<Long> failResumeOnce = ConcurrentHashMap.newKeySet();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  final PoolDriver recording = new PoolDriver() {
    @Override
    public String name() {
      return "sandbox";
    }

    @Override
    public void suspend(Target node) {
      driverCalls.add("suspend " + node.nodeId());
    }

    @Override
    public void resume(Target node) throws DriverException {
      driverCalls.add("resume " + node.nodeId());
      if (failResumeOnce.remove(node.nodeId())) {
        throw new DriverException("worker " + node.hostname() + " would not start");
      }
    }
  };

  final RecordingWorkerOps workers = new RecordingWorkerOps();

  @BeforeEach
  void setUp() {
    db = TestDb.fresh();
    jdbi = db.jdbi();
    clock = new SettableClock(T0);
    steps = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void tearDown() {
    steps.shutdownNow();
    db.close();
  }

  PoolReconciler reconciler(String id) {
    PoolConfig config = new PoolConfig(Duration.ofSeconds(5), 100, Set.of("core"), "none", Optional.empty(),
        Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(1), 1, Optional.empty(), Optional.empty(), Optional.empty());
    Claimant claimant = new Claimant(id, Duration.ofSeconds(30), clock);
    PoolMetrics metrics = new PoolMetrics();
    metrics.bind(registry);
    return new PoolReconciler(jdbi, claimant, new ClaimRenewer(jdbi, claimant), config,
        new Drivers(name -> recording), workers, new PoolHooks(new Webhook(HttpClient.newHttpClient()),
        Optional.empty(), 1), metrics, steps);
  }

  long node(String pool, String status, boolean allocated, Instant registered) {
    return jdbi.withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
            + " host_key_fingerprint, pool, status, allocated, clean, registered_at, last_seen_at)"
            + " VALUES (:h, '10.9.0.2', 22, 'ssh-ed25519 AAAA', 'SHA256:x', :pool, :status, :alloc, 1, :reg, :reg)")
        .bind("h", pool + "-" + System.nanoTime()).bind("pool", pool).bind("status", status).bind("alloc", allocated)
        .bind("reg", registered).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  void override(String pool, String action, Instant until) {
    jdbi.useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
        + " VALUES (?, ?, ?, ?, 'user:admin')", pool, action, clock.instant(), until));
  }

  String status(long node) {
    return jdbi.withHandle(h -> h.createQuery("SELECT status FROM nodes WHERE id = :id").bind("id", node)
        .mapTo(String.class).one());
  }

  List<Long> withStatus(String pool, String status) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id FROM nodes WHERE pool = :p AND status = :s ORDER BY id")
        .bind("p", pool).bind("s", status).mapTo(Long.class).list());
  }

  /** One round, {@code interval} after the previous, so every pool is due again. */
  void round(PoolReconciler r) {
    clock.advance(Duration.ofSeconds(6));
    r.tick();
  }

  @Test
  void sleepsFreeWorkersOnlyAndAnotherInstanceWakesExactlyThoseFromTheRecord() {
    Instant old = T0.minus(Duration.ofDays(1));
    long free1 = node("batch", "alive", false, old);
    long free2 = node("batch", "dead", false, old);
    long leased = node("batch", "alive", true, old);
    long fresh = node("batch", "alive", false, T0.minus(Duration.ofMinutes(5)));   // within the 15 min grace
    long operators = node("batch", "suspended", false, old);                      // someone else's suspension
    long other = node("web", "alive", false, old);
    long core = node("core", "alive", false, old);
    override("batch", "sleep", T0.plus(Duration.ofHours(1)));
    override("core", "sleep", T0.plus(Duration.ofHours(1)));                      // protected: never sleeps

    PoolReconciler first = reconciler("s1");
    round(first);
    assertEquals(List.of(free1, free2, operators), withStatus("batch", "suspended"));
    assertEquals(Set.of("suspend " + free1, "suspend " + free2), Set.copyOf(driverCalls));
    assertEquals("alive", status(leased), "a leased worker is never interrupted");
    assertEquals("alive", status(fresh), "a worker that just registered is left awake");
    assertEquals("alive", status(other));
    assertEquals("alive", status(core));
    assertEquals("asleep", jdbi.withHandle(h -> h.createQuery("SELECT applied FROM pool_states WHERE pool = 'batch'")
        .mapTo(String.class).one()));

    // The lease ends while the pool sleeps: its worker sleeps next round; the grace period runs out too.
    jdbi.useHandle(h -> h.execute("UPDATE nodes SET allocated = 0, clean = 0 WHERE id = ?", leased));
    clock.advance(Duration.ofMinutes(11));
    round(first);
    assertEquals(List.of(free1, free2, leased, fresh, operators), withStatus("batch", "suspended"));
    round(first);
    assertEquals(4, driverCalls.size(), "nothing is stopped twice: " + driverCalls);

    // The scheduler is replaced (a restart: nothing in memory) and the sleep override runs out.
    failResumeOnce.add(free2);
    workers.fail(fresh, WorkerException.Kind.HOST_KEY_MISMATCH);
    clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(1));
    driverCalls.clear();
    PoolReconciler second = reconciler("s2");
    second.tick();
    assertEquals(Set.of("resume " + free1, "resume " + free2, "resume " + leased, "resume " + fresh),
        Set.copyOf(driverCalls), "exactly the workers this pool suspended");
    assertEquals(List.of(free1, leased), withStatus("batch", "alive"));
    assertEquals(1.0, registry.get("orion_pool_restore_failures").tag("pool", "batch").counter().count());
    assertEquals("suspended", status(free2), "its restore failed: retried");
    assertEquals("suspended", status(fresh), "another host key: not trusted");
    assertEquals("suspended", status(operators), "not this pool's to wake");

    round(second);
    assertEquals(List.of(free1, free2, leased), withStatus("batch", "alive"));
    assertEquals("suspended", status(fresh), "an untrusted worker stays out");
    assertEquals("suspended", status(operators));
    round(second);
    assertEquals(List.of(free1, free2, leased), withStatus("batch", "alive"));

    Map<String, Object> records = jdbi.withHandle(h -> h.createQuery("SELECT"
        + " SUM(outcome = 'resumed') AS resumed, SUM(outcome = 'untrusted') AS untrusted,"
        + " SUM(resumed_at IS NULL) AS open, MAX(attempts) AS attempts FROM pool_suspensions").mapToMap().one());
    assertEquals("3", records.get("resumed").toString());
    assertEquals("1", records.get("untrusted").toString());
    assertEquals("0", records.get("open").toString());
    assertEquals("1", records.get("attempts").toString());

    List<String> events = jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(kind, ' ', COALESCE(node_id, ''), ' ',"
        + " COALESCE(from_status, ''), '>', to_status, ' ', reason) FROM events WHERE pool = 'batch' ORDER BY seq")
        .mapTo(String.class).list());
    assertTrue(events.get(0).startsWith("pool  awake>asleep manual sleep until"), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.startsWith("node " + free2 + " suspended>suspended restore failed")),
        events.toString());
    assertTrue(events.stream().anyMatch(e -> e.startsWith("node " + fresh + " suspended>suspended came back with a"
        + " host key other")), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.startsWith("pool  asleep>awake")), events.toString());
    assertEquals(3, events.stream().filter(e -> e.matches("node \\d+ suspended>alive .*")).count(), events.toString());
    assertEquals(1.0, registry.get("orion_pool_transitions").tags("pool", "batch", "action", "sleep", "result", "ok")
        .counter().count());
    assertEquals(3.0, registry.get("orion_pool_transitions").tags("pool", "batch", "action", "resume", "result", "ok")
        .counter().count());
    assertEquals(List.of(), jdbi.withHandle(h -> h.createQuery("SELECT pool FROM events WHERE pool <> 'batch'")
        .mapTo(String.class).list()), "other pools saw nothing");
  }

  /**
   * A pool the decision has nothing for is settled in the transaction that locked it: its next
   * check written, never claimed. A pool with work is claimed, reconciled and released; both are
   * due again one interval later, and the round counts both.
   */
  @Test
  void poolsWithNothingToDoAreSettledWithoutAClaim() {
    Instant old = T0.minus(Duration.ofDays(1));
    long quiet = node("quiet", "alive", false, old);
    long core = node("core", "alive", false, old);
    long busy = node("busy", "alive", false, old);
    override("core", "sleep", T0.plus(Duration.ofHours(1)));                      // protected: nothing to do
    override("busy", "sleep", T0.plus(Duration.ofHours(1)));
    PoolReconciler r = reconciler("s1");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(3, r.tick());
    assertEquals(List.of("busy s1 released", "core - released", "quiet - released"), jdbi.withHandle(h -> h
        .createQuery("SELECT CONCAT(pool, ' ', COALESCE(claimed_by, '-'), ' ', IF(claimed_until IS NULL, 'released',"
            + " 'held')) FROM pool_states ORDER BY pool").mapTo(String.class).list()));
    assertEquals("suspended", status(busy));
    assertEquals("alive", status(quiet));
    assertEquals("alive", status(core));
    Instant next = clock.instant().plusSeconds(5).truncatedTo(ChronoUnit.MICROS);
    assertEquals(List.of(next, next, next), jdbi.withHandle(h -> h.createQuery("SELECT next_check_at FROM pool_states")
        .mapTo(Instant.class).list()));
  }

  @Test
  void everyPoolIsReconciledWithinTheIntervalWhicheverInstanceClaimsIt() {
    Instant old = T0.minus(Duration.ofDays(1));
    for (int i = 0; i < 30; i++) {
      node("p" + i, "alive", false, old);
      override("p" + i, "sleep", T0.plus(Duration.ofMinutes(10)));
    }
    PoolReconciler a = reconciler("a");
    PoolReconciler b = reconciler("b");
    clock.advance(Duration.ofSeconds(1));
    a.tick();
    b.tick();
    int suspended = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE status = 'suspended'")
        .mapTo(Integer.class).one());
    assertEquals(30, suspended);
    assertEquals(30, driverCalls.size(), "each worker stopped once: " + driverCalls);
    Instant due = jdbi.withHandle(h -> h.createQuery("SELECT MAX(next_check_at) FROM pool_states")
        .mapTo(Instant.class).one());
    assertTrue(!due.isAfter(clock.instant().plusSeconds(5).truncatedTo(ChronoUnit.MICROS)), "due again within the interval");
  }
}
