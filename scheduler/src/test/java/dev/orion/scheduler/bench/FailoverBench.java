package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.ClientLogin;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * bench/failover: 100 sandbox workers, 50 of them leased, 2 scheduler processes. Kill 10 leased
 * workers at once (SIGKILL) and time, per lease, from the kill until the client's password login
 * works on the node the lease moved to.
 */
public final class FailoverBench {
  public static void main(String[] args) throws Exception {
    int workersN = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int leasedN = workersN / 2;
    int killN = Math.max(1, workersN / 10);
    Path report = Path.of(args.length > 1 ? args[1] : "docs/benchmarks.md");
    String interval = System.getProperty("bench.interval", "500ms");
    String k = System.getProperty("bench.k", "3");
    DbConfig cfg = TestDb.freshConfig(8);
    long started = System.nanoTime();
    List<SandboxWorker> workers = SandboxWorker.startMany("fo", workersN);
    System.out.printf("%d sandbox workers up in %d s%n", workersN, (System.nanoTime() - started) / 1_000_000_000L);
    List<SchedulerProcess> procs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (Database db = Database.connect(cfg); WorkerConnections ssh = new WorkerConnections(TestSsh.config())) {
      Workers reg = new Workers(db.jdbi(), new Fleet(db.jdbi(), Instant.now()));
      long[] nodes = new long[workersN];
      for (int i = 0; i < workersN; i++) {
        nodes[i] = reg.register(workers.get(i));
      }
      ClientAccounts accounts = new ClientAccounts(ssh);
      Map<Integer, Long> rentals = new HashMap<>();
      List<Future<?>> made = new ArrayList<>();
      for (int i = 0; i < leasedN; i++) {
        int w = i;
        made.add(pool.submit(() -> {
          accounts.create(workers.get(w).endpoint(nodes[w]),
              new ClientAccount("c_fo" + w, PasswordCrypt.sha512("pw-fo-" + w), null));
          return null;
        }));
      }
      for (Future<?> f : made) {
        f.get();
      }
      for (int i = 0; i < leasedN; i++) {
        long node = nodes[i];
        String crypt = PasswordCrypt.sha512("pw-fo-" + i);
        int w = i;
        rentals.put(i, db.jdbi().inTransaction(h -> {
          h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", node);
          return h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status,"
                  + " created_at, leased_until) SELECT MIN(id), :n, :cu, :pc, 'active', :now, :until FROM users")
              .bind("n", node).bind("cu", "c_fo" + w).bind("pc", crypt).bind("now", Instant.now())
              .bind("until", Instant.now().plus(Duration.ofHours(1)))
              .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        }));
      }
      Map<String, String> env = Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString(),
          "ORION_HEALTH_INTERVAL", interval, "ORION_HEALTH_FAILURES", k,
          "ORION_MIGRATION_INTERVAL", "100ms");
      for (int i = 1; i <= 2; i++) {
        procs.add(SchedulerProcess.start("fo" + i, cfg, env, List.of("-Xmx512m", SchedulerProcess.deployedOptions())));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      // Steady state before the kill: every node probed alive by both instances (every admin
      // connection open) and nothing failing for a while.
      Instant calmSince = Instant.now();
      while (Duration.between(calmSince, Instant.now()).toSeconds() < 5) {
        Thread.sleep(250);
        if (db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE status <> 'alive'"
            + " OR probe_failures > 0 OR last_probe_at IS NULL").mapTo(Long.class).one()) > 0) {
          calmSince = Instant.now();
        }
      }

      Instant killedAt = Instant.now();
      long t0 = System.nanoTime();
      List<Future<?>> kills = new ArrayList<>();
      for (int i = 0; i < killN; i++) {
        SandboxWorker victim = workers.get(i);
        kills.add(pool.submit(victim::kill));
      }
      List<Future<Long>> logins = new ArrayList<>();
      for (int i = 0; i < killN; i++) {
        int w = i;
        logins.add(pool.submit(() -> untilLoginWorks(db, rentals.get(w), nodes[w], "c_fo" + w, "pw-fo-" + w, t0)));
      }
      List<Long> millis = new ArrayList<>();
      for (Future<Long> f : logins) {
        millis.add(f.get());
      }
      for (Future<?> f : kills) {
        f.get();
      }
      System.out.println("kill at " + killedAt + ", login times (ms): " + millis);
      String body = "| killed | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n| "
          + Report.percentiles(millis) + " |\n";
      Report.append(report, "Scheduler: failover of leases on killed workers (bench/failover)",
          "bench/failover.sh " + workersN,
          workersN + " sandbox workers, " + leasedN + " leased, 2 scheduler processes (health interval "
              + interval + ", dead after " + k + " failed probes, probe timeout 2s); " + killN
              + " leased workers SIGKILLed at once; per lease, time from the kill until a fresh SSH password"
              + " login as the lease's user succeeds on the node the lease moved to. Target p95 <= 3 s"
              + " (Kubernetes' defaults: ~340 s, Nomad's: ~20 s).",
          body);
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
      pool.shutdownNow();
      SandboxWorker.closeAll(workers);
    }
    System.exit(0);
  }

  /** Polls as a client would: where does my lease live now, and can I log in there? */
  static long untilLoginWorks(Database db, long rental, long oldNode, String user, String password, long t0)
      throws InterruptedException {
    while (true) {
      Map<String, Object> at = db.jdbi().withHandle(h -> h.createQuery(
              "SELECT n.id, n.ip, n.ssh_port, n.host_key FROM rentals r JOIN nodes n ON n.id = r.node_id"
                  + " WHERE r.id = :r AND r.status = 'active'")
          .bind("r", rental).mapToMap().findOne().orElse(Map.of()));
      if (!at.isEmpty() && ((Number) at.get("id")).longValue() != oldNode) {
        try {
          if (user.equals(ClientLogin.whoami((String) at.get("ip"), ((Number) at.get("ssh_port")).intValue(),
              (String) at.get("host_key"), user, password))) {
            return (System.nanoTime() - t0) / 1_000_000;
          }
        } catch (Exception notYet) {
          // the login is being created: try again
        }
      }
      if ((System.nanoTime() - t0) > Duration.ofMinutes(3).toNanos()) {
        throw new IllegalStateException("lease " + rental + " never became usable again");
      }
      Thread.sleep(20);
    }
  }
}
