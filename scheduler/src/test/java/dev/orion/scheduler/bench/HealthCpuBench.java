package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.health.HealthDecision;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Health-check cost: N sandbox workers probed every second by one scheduler process (health loop
 * only). CPU is read from /proc/PID/stat (user + system time) over a measured window after a
 * warm-up; the database is sampled meanwhile to show that every node really was probed each second.
 */
public final class HealthCpuBench {
  static final long CLK_TCK = 100; // USER_HZ on Linux

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int windowSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    Path report = Path.of(args.length > 2 ? args[2] : "docs/benchmarks.md");
    DbConfig cfg = TestDb.freshConfig(8);
    long t = System.nanoTime();
    List<SandboxWorker> workers = SandboxWorker.startMany("hc", n);
    System.out.printf("%d sandbox workers up in %d s%n", n, (System.nanoTime() - t) / 1_000_000_000L);
    SchedulerProcess proc = null;
    try (Database db = Database.connect(cfg)) {
      Workers reg = new Workers(db.jdbi(), new Fleet(db.jdbi(), Instant.now()));
      for (SandboxWorker w : workers) {
        reg.register(w);
      }
      proc = SchedulerProcess.start("hc1", cfg, Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString(),
          "ORION_SCHEDULER_LOOPS", "health", "ORION_HEALTH_INTERVAL", "1s", "ORION_HEALTH_BATCH", "500"),
          List.of("-Xmx512m", SchedulerProcess.deployedOptions()));
      proc.awaitRunning();
      Await.until("every node probed", Duration.ofMinutes(3), () -> db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM nodes WHERE last_probe_at IS NULL OR status <> 'alive'").mapTo(Long.class).one()) == 0);
      Thread.sleep(15_000); // warm-up: JIT, connection pool, every admin connection open

      long before = cpuTicks(proc.pid());
      long start = System.nanoTime();
      double worstAge = 0;
      while (System.nanoTime() - start < windowSeconds * 1_000_000_000L) {
        Thread.sleep(1000);
        double age = db.jdbi().withHandle(h -> h.createQuery(
            "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(last_probe_at), :now) / 1e6 FROM nodes")
            .bind("now", Instant.now()).mapTo(Double.class).one());
        worstAge = Math.max(worstAge, age);
      }
      long after = cpuTicks(proc.pid());
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuPercent = 100.0 * (after - before) / CLK_TCK / seconds;
      long dead = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM nodes WHERE status <> 'alive'").mapTo(Long.class).one());
      String body = "| workers | interval | window s | scheduler CPU (% of one core) | oldest probe seen (s) | nodes not alive |\n"
          + "|---|---|---|---|---|---|\n"
          + String.format(Locale.ROOT, "| %d | 1 s | %.0f | %.1f | %.2f | %d |%n", n, seconds, cpuPercent, worstAge, dead);
      Report.append(report, "Scheduler: health-check cost (bench/scheduler_health_cpu)",
          "bench/scheduler_health_cpu.sh " + n,
          n + " sandbox workers on this machine, one scheduler process running only the health loop"
              + " (interval 1 s, one persistent admin connection per worker); CPU = utime + stime from"
              + " /proc/PID/stat over the window after a 15 s warm-up; the oldest last_probe_at was sampled"
              + " every second. Target: <= 20% of one core. The sandbox sshds and MariaDB run on the same"
              + " 2 cores; a probe is an SSH keepalive on the open connection, and every " + HealthDecision.SHELL_EVERY
              + "th or so runs `true` through the admin's shell; the scheduler runs with scheduler/jvm.options.",
          body);
    } finally {
      if (proc != null) {
        proc.close();
      }
      SandboxWorker.closeAll(workers);
    }
    System.exit(0);
  }

  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
  }
}
