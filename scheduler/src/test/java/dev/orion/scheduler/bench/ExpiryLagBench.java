package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Expiry lag: leases on sandbox workers end at staggered times; a watcher reads each worker's own
 * /etc/passwd every 10 ms and records when the client user is gone. Lag = gone - leased_until.
 */
public final class ExpiryLagBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    Path report = Path.of(args.length > 1 ? args[1] : "docs/benchmarks.md");
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("el", n);
    List<SchedulerProcess> procs = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      Workers reg = new Workers(db.jdbi(), new Fleet(db.jdbi(), Instant.now()));
      Map<String, String> env = Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString());
      for (int i = 1; i <= 2; i++) {
        procs.add(SchedulerProcess.start("el" + i, cfg, env, List.of("-Xmx512m", SchedulerProcess.deployedOptions())));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      Instant base = Instant.now().plusSeconds(15).truncatedTo(ChronoUnit.MILLIS);
      Instant[] until = new Instant[n];
      for (int i = 0; i < n; i++) {
        long node = reg.register(workers.get(i));
        until[i] = base.plusMillis(250L * i);
        reg.lease(workers.get(i), node, "c_el" + i, "pw-el-" + i, until[i]);
      }
      long[] lag = new long[n];
      boolean[] gone = new boolean[n];
      int left = n;
      while (left > 0) {
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
          if (!gone[i] && !workers.get(i).hasUser("c_el" + i)) {
            gone[i] = true;
            lag[i] = Duration.between(until[i], now).toMillis();
            left--;
          }
        }
        if (Duration.between(base, now).toMinutes() > 3) {
          throw new IllegalStateException(left + " users never deleted");
        }
        Thread.sleep(10);
      }
      List<Long> millis = new ArrayList<>();
      for (long l : lag) {
        millis.add(l);
      }
      System.out.println("lags (ms): " + millis);
      Report.append(report, "Scheduler: expiry lag (bench/scheduler_expiry_lag)",
          "bench/scheduler_expiry_lag.sh " + n,
          n + " leases on " + n + " sandbox workers ending 250 ms apart, 2 scheduler processes with the"
              + " default settings (expiry poll 250 ms); lag = from leased_until until the client user is"
              + " gone from the worker's /etc/passwd (polled every 10 ms). Target p95 <= 2 s.",
          "| leases | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n| " + Report.percentiles(millis) + " |\n");
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
      SandboxWorker.closeAll(workers);
    }
    System.exit(0);
  }
}
