package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.HostKeys;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.time.SettableClock;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox driver for real: workers started by {@code launch_workers.sh} are put to sleep by
 * the reconciler (their SSH ports close, nothing of them runs) and woken on the same address and
 * port with the same host key, which the reconciler verifies over SSH before they are alive again.
 */
class SandboxDriverTest {
  @TempDir Path dir;

  @Test
  void sleepingClosesTheWorkersSshAndWakingBringsThemBackAsTheSameNodes() throws Exception {
    Path root = SandboxWorker.script().getParent().getParent();
    Path launcher = root.resolve("launch_workers.sh");
    Path workersDir = dir.resolve("workers");
    String prefix = "sd" + ProcessHandle.current().pid();
    run(workersDir, launcher.toString(), "2", "--no-agent", "--prefix", prefix, "--base-port", "2201",
        "--admin-key", TestSsh.adminPublicKey().toString(), "--memory", "256M");
    ExecutorService steps = Executors.newFixedThreadPool(4);
    try (Database db = TestDb.fresh(); WorkerConnections ssh = new WorkerConnections(TestSsh.config());
        Drivers drivers = new Drivers(name -> new SandboxDriver(launcher, Optional.of(workersDir), Duration.ofSeconds(60)))) {
      Instant now = Instant.now();
      SettableClock clock = new SettableClock(now);
      List<Long> nodes = new ArrayList<>();
      List<WorkerEndpoint> endpoints = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        Path w = workersDir.resolve(prefix + "-" + i);
        String ip = Files.readString(w.resolve("address")).strip();
        String key = Files.readString(w.resolve("ssh_host_ed25519_key.pub")).strip();
        int port = Integer.parseInt(Files.readString(w.resolve("port")).strip());
        long id = db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
                + " host_key_fingerprint, pool, status, allocated, clean, registered_at, last_seen_at)"
                + " VALUES (:h, :ip, :port, :key, :fp, 'lab', 'alive', 0, 1, :reg, :reg)")
            .bind("h", w.getFileName().toString()).bind("ip", ip).bind("port", port).bind("key", key).bind("fp", HostKeys.fingerprint(key))
            .bind("reg", now.minus(Duration.ofDays(1))).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        nodes.add(id);
        endpoints.add(new WorkerEndpoint(id, ip, port, key));
      }
      PoolConfig config = new PoolConfig(Duration.ofSeconds(5), 100, Set.of(), "sandbox", Optional.empty(),
          Optional.empty(), Duration.ofSeconds(60), Duration.ofSeconds(20), 1, Optional.empty(),
          Optional.of(launcher), Optional.of(workersDir));
      Claimant claimant = new Claimant("sd", Duration.ofSeconds(30), clock);
      PoolReconciler reconciler = new PoolReconciler(db.jdbi(), claimant, new ClaimRenewer(db.jdbi(), claimant), config,
          drivers, new SshWorkerOps(ssh), new PoolHooks(new Webhook(HttpClient.newHttpClient()), Optional.empty(), 1),
          new PoolMetrics(), steps);
      for (WorkerEndpoint e : endpoints) {
        assertTrue(listening(e), "awake before");
      }

      db.jdbi().useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
          + " VALUES ('lab', 'sleep', ?, ?, 'user:admin')", now, now.plus(Duration.ofHours(1))));
      clock.advance(Duration.ofSeconds(1));
      reconciler.tick();
      assertEquals(2, count(db, "SELECT COUNT(*) FROM pool_suspensions WHERE stopped_at IS NOT NULL"));
      for (WorkerEndpoint e : endpoints) {
        assertFalse(listening(e), "asleep: nothing answers at " + e.describe());
      }

      db.jdbi().useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
          + " VALUES ('lab', 'wake', ?, ?, 'user:admin')", clock.instant(), clock.instant().plus(Duration.ofHours(1))));
      clock.advance(Duration.ofSeconds(6));
      reconciler.tick();
      assertEquals(2, count(db, "SELECT COUNT(*) FROM nodes WHERE pool = 'lab' AND status = 'alive'"));
      assertEquals(2, count(db, "SELECT COUNT(*) FROM pool_suspensions WHERE outcome = 'resumed'"));
      SshWorkerOps ops = new SshWorkerOps(ssh);
      for (int i = 0; i < 2; i++) {
        WorkerEndpoint e = endpoints.get(i);
        ops.probe(e); // same address and port, and the pinned host key, or this throws
        assertEquals(prefix + "-" + (i + 1), ops.run(e, "hostname").stdout().strip());
      }
    } finally {
      steps.shutdownNow();
      run(workersDir, launcher.toString(), "--stop");
    }
  }

  private static boolean listening(WorkerEndpoint e) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.host(), e.port()), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static int count(Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  private static void run(Path workersDir, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ORION_WORKERS_DIR", workersDir.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
