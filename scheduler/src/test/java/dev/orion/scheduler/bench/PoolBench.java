package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.HostKeys;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.time.SettableClock;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.pool.Drivers;
import dev.orion.scheduler.pool.PoolConfig;
import dev.orion.scheduler.pool.PoolDriver;
import dev.orion.scheduler.pool.PoolHooks;
import dev.orion.scheduler.pool.PoolMetrics;
import dev.orion.scheduler.pool.PoolReconciler;
import dev.orion.scheduler.pool.SandboxDriver;
import dev.orion.scheduler.pool.Webhook;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * bench/pools: (1) the cost of one reconciliation round over N pools with schedules (all claimed
 * in one round, all evaluated, nothing to change): wall time, the round thread's CPU time, and the
 * rest (database round trips and waits); (2) sleep and wake of W real sandbox workers with the
 * sandbox driver: from the transition to every SSH port closed, and from the wake to every node
 * alive (SSH probe with its pinned key passed) and rentable.
 */
public final class PoolBench {
  public static void main(String[] args) throws Exception {
    int pools = Integer.parseInt(args[0]);
    int workers = Integer.parseInt(args[1]);
    Path docs = Path.of(args[2]);
    String tick = reconcileCost(pools);
    String sleepWake = workers > 0 ? sleepAndWake(workers) : "";
    Report.append(docs, "Pools: reconciliation cost and sleep/wake of sandbox workers (bench/pools)",
        "bench/pools.sh " + pools + " " + workers,
        pools + " pools each with a cron schedule (Europe/Paris) and one node, one scheduler, batch " + pools
            + "; " + workers + " sandbox workers (no agent, 256M) in one pool, sandbox driver, 32 step threads",
        tick + sleepWake);
    System.exit(0);
  }


  static String reconcileCost(int pools) throws Exception {
    Instant noon = Instant.parse("2027-03-10T11:00:00Z"); // a Wednesday: every pool should be awake
    SettableClock clock = new SettableClock(noon);
    ExecutorService steps = Executors.newFixedThreadPool(4);
    try (Database db = TestDb.fresh()) {
      db.jdbi().useHandle(h -> {
        PreparedBatch s = h.prepareBatch("INSERT INTO pool_schedules (name, pool, cron_start, cron_stop, timezone,"
            + " active, created_at, last_update) VALUES (:p, :p, '0 8 * * 1-5', '0 19 * * 1-5', 'Europe/Paris', 1,"
            + " :now, :now)");
        PreparedBatch n = h.prepareBatch("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint,"
            + " pool, status, allocated, clean, registered_at, last_seen_at) VALUES (:p, '10.1.0.1', 22,"
            + " 'ssh-ed25519 AAAA', 'SHA256:x', :p, 'alive', 0, 1, :now, :now)");
        for (int i = 0; i < pools; i++) {
          s.bind("p", "pool-" + i).bind("now", noon).add();
          n.bind("p", "pool-" + i).bind("now", noon).add();
        }
        s.execute();
        n.execute();
      });
      PoolConfig config = new PoolConfig(Duration.ofSeconds(5), pools, Set.of(), "none", Optional.empty(),
          Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(5), 1, Optional.empty(), Optional.empty(),
          Optional.empty());
      Claimant claimant = new Claimant("bench", Duration.ofSeconds(30), clock);
      PoolReconciler r = new PoolReconciler(db.jdbi(), claimant, new ClaimRenewer(db.jdbi(), claimant), config,
          new Drivers(name -> PoolDriver.NONE), new RecordingWorkerOps(), new PoolHooks(new Webhook(HttpClient.newHttpClient()),
          Optional.empty(), 1), new PoolMetrics(), steps);
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      List<Long> wall = new ArrayList<>();
      List<Long> cpu = new ArrayList<>();
      int claimed = 0;
      for (int round = 0; round < 25; round++) {
        clock.advance(Duration.ofSeconds(6)); // every pool due again
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        claimed = r.tick();
        long t1 = System.nanoTime();
        long c1 = mx.getCurrentThreadCpuTime();
        if (round >= 5) { // the first rounds warm the JIT and insert the pool_states rows
          wall.add((t1 - t0) / 1_000_000);
          cpu.add((c1 - c0) / 1_000_000);
        }
      }
      List<Long> db2 = new ArrayList<>();
      for (int i = 0; i < wall.size(); i++) {
        db2.add(wall.get(i) - cpu.get(i));
      }
      return "One round over " + claimed + " pools (all due, all awake; 20 rounds after 5 of warm-up), in ms:\n\n"
          + "| per round | rounds | p50 | p95 | max |\n|---|---|---|---|---|\n"
          + "| wall | " + Report.percentiles(wall) + " |\n"
          + "| round thread CPU | " + Report.percentiles(cpu) + " |\n"
          + "| wall − CPU (database, waits) | " + Report.percentiles(db2) + " |\n\n";
    } finally {
      steps.shutdownNow();
    }
  }

  static String sleepAndWake(int count) throws Exception {
    Path root = SandboxWorker.script().getParent().getParent();
    Path launcher = root.resolve("launch_workers.sh");
    Path workersDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-pool-workers");
    String prefix = "pb" + ProcessHandle.current().pid();
    ExecutorService steps = Executors.newFixedThreadPool(32);
    long launchStart = System.nanoTime();
    run(workersDir, launcher.toString(), Integer.toString(count), "--no-agent", "--prefix", prefix, "--base-port",
        "2201", "--admin-key", TestSsh.adminPublicKey().toString(), "--memory", "256M", "--cpus", "0.5");
    long launchMs = (System.nanoTime() - launchStart) / 1_000_000;
    try (Database db = TestDb.fresh(); WorkerConnections ssh = new WorkerConnections(TestSsh.config());
        Drivers drivers = new Drivers(n -> new SandboxDriver(launcher, Optional.of(workersDir), Duration.ofSeconds(120)))) {
      Instant start = Instant.now();
      SettableClock clock = new SettableClock(start);
      List<WorkerEndpoint> endpoints = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        Path w = workersDir.resolve(prefix + "-" + i);
        String ip = Files.readString(w.resolve("address")).strip();
        int port = Integer.parseInt(Files.readString(w.resolve("port")).strip());
        String key = Files.readString(w.resolve("ssh_host_ed25519_key.pub")).strip();
        long id = db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
                + " host_key_fingerprint, pool, status, allocated, clean, registered_at, last_seen_at)"
                + " VALUES (:h, :ip, :port, :key, :fp, 'night', 'alive', 0, 1, :reg, :reg)")
            .bind("h", w.getFileName().toString()).bind("ip", ip).bind("port", port).bind("key", key)
            .bind("fp", HostKeys.fingerprint(key)).bind("reg", start.minus(Duration.ofDays(1)))
            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        endpoints.add(new WorkerEndpoint(id, ip, port, key));
      }
      PoolConfig config = new PoolConfig(Duration.ofSeconds(5), 100, Set.of(), "sandbox", Optional.empty(),
          Optional.empty(), Duration.ofSeconds(120), Duration.ofSeconds(60), 1, Optional.empty(),
          Optional.of(launcher), Optional.of(workersDir));
      Claimant claimant = new Claimant("bench", Duration.ofSeconds(30), clock);
      ClaimRenewer renewer = new ClaimRenewer(db.jdbi(), claimant);
      PoolReconciler r = new PoolReconciler(db.jdbi(), claimant, renewer, config, drivers, new SshWorkerOps(ssh),
          new PoolHooks(new Webhook(HttpClient.newHttpClient()), Optional.empty(), 1), new PoolMetrics(), steps);
      SshWorkerOps ops = new SshWorkerOps(ssh);
      for (WorkerEndpoint e : endpoints) {
        ops.probe(e); // connections open, as the health checker keeps them
      }
      r.tick(); // the pool's row, before the transition
      db.jdbi().useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
          + " VALUES ('night', 'sleep', ?, ?, 'user:bench')", clock.instant(), clock.instant().plus(Duration.ofHours(1))));
      clock.advance(Duration.ofSeconds(6));
      long t0 = System.nanoTime();
      r.tick();
      while (endpoints.stream().anyMatch(PoolBench::listening)) {
        Thread.sleep(20);
      }
      long sleepMs = (System.nanoTime() - t0) / 1_000_000;

      db.jdbi().useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
          + " VALUES ('night', 'wake', ?, ?, 'user:bench')", clock.instant(), clock.instant().plus(Duration.ofHours(1))));
      clock.advance(Duration.ofSeconds(6));
      long t1 = System.nanoTime();
      int rounds = 0;
      while (rentable(db) < count && rounds++ < 10) {
        clock.advance(Duration.ofSeconds(6));
        r.tick();
      }
      long wakeMs = (System.nanoTime() - t1) / 1_000_000;
      int alive = rentable(db);
      return String.format(Locale.ROOT, "Sleep and wake of %d sandbox workers (launching them took %.1f s):%n%n"
          + "| step | time | target |%n|---|---|---|%n"
          + "| sleep: transition → every SSH port closed | %.2f s | ≤ 10 s |%n"
          + "| wake: transition → every node alive (SSH probe, pinned key) and rentable | %.2f s (%d of %d, %d round%s) | ≤ 15 s |%n%n",
          count, launchMs / 1000.0, sleepMs / 1000.0, wakeMs / 1000.0, alive, count, rounds, rounds == 1 ? "" : "s");
    } finally {
      steps.shutdownNow();
      run(workersDir, launcher.toString(), "--stop");
    }
  }

  static int rentable(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE pool = 'night' AND status = 'alive'"
        + " AND allocated = 0 AND clean = 1").mapTo(Integer.class).one());
  }

  static boolean listening(WorkerEndpoint e) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.host(), e.port()), 500);
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  static void run(Path workersDir, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ORION_WORKERS_DIR", workersDir.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
