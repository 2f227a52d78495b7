package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Jobs on warm sandbox workers: dispatch latency (a job's due time to its process started on the
 * worker, as recorded in job_attempts.started_at) for jobs submitted one at a time, then a burst of
 * short jobs through several schedulers with starts counted by a marker each attempt writes. Run
 * with {@code bench/jobs.sh [workers] [schedulers] [burst]}.
 */
public final class JobsBench {
  private JobsBench() {}

  public static void main(String[] args) throws Exception {
    int nWorkers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int nSchedulers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int burst = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    DbConfig cfg = TestDb.freshConfig(16);
    List<SandboxWorker> workers = SandboxWorker.startMany("jobbench", nWorkers);
    List<Scheduler> schedulers = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      run(db, cfg, workers, schedulers, nWorkers, nSchedulers, burst);
    } finally {
      SandboxWorker.closeAll(workers);
    }
    System.exit(0); // the embedded server's watcher thread would keep the JVM, and the server, alive
  }

  /** The schedulers stop before the database closes: their loops would otherwise retry on it forever. */
  private static void run(Database db, DbConfig cfg, List<SandboxWorker> workers, List<Scheduler> schedulers,
      int nWorkers, int nSchedulers, int burst) throws Exception {
    try {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      for (SandboxWorker w : workers) {
        reg.register(w);
        w.runInside("install -d -m 1777 /var/marks");
      }
      Map<String, String> env = new HashMap<>(Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString(),
          "ORION_SCHEDULER_LOOPS", "jobs", "ORION_JOB_WORKER_SHARE", "100",
          "ORION_DB_POOL_SIZE", "8"));
      for (int i = 0; i < nSchedulers; i++) {
        schedulers.add(new Scheduler(Instances.config("bench" + i, cfg, env), db, Clock.systemUTC()).start());
      }
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      // Warm: every worker's admin connection opened, nscd and friends paged in.
      List<Long> warm = new ArrayList<>();
      for (int i = 0; i < nWorkers * 2; i++) {
        warm.add(jobs.submit("default", "true", 0, null));
      }
      awaitAll(jobs, warm, Duration.ofSeconds(120));

      List<Long> dispatch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        long id = jobs.submit("default", "true", 0, null);
        awaitAll(jobs, List.of(id), Duration.ofSeconds(30));
        dispatch.add(db.jdbi().withHandle(h -> h.createQuery("SELECT TIMESTAMPDIFF(MICROSECOND, j.due_at, a.started_at)"
            + " FROM jobs j JOIN job_attempts a ON a.job_id = j.id WHERE j.id = :id").bind("id", id)
            .mapTo(Long.class).one()) / 1000);
      }
      Collections.sort(dispatch);
      System.out.printf("[jobs] dispatch due -> started, one job at a time on %d warm workers: p50 %d ms, p90 %d ms,"
          + " p99 %d ms, max %d ms (n=%d)%n", nWorkers, dispatch.get(49), dispatch.get(89), dispatch.get(98),
          dispatch.get(99), dispatch.size());

      List<Long> ids = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < burst; i++) {
        ids.add(jobs.submit("default", "echo x >> /var/marks/burst", 0, null));
      }
      awaitAll(jobs, ids, Duration.ofSeconds(600));
      double secs = (System.nanoTime() - t0) / 1e9;
      long starts = 0;
      for (SandboxWorker w : workers) {
        starts += w.runInside("cat /var/marks/burst 2>/dev/null || true").lines().filter(l -> !l.isBlank()).count();
      }
      long ok = ids.stream().filter(id -> "succeeded".equals(jobs.status(id))).count();
      System.out.printf("[jobs] burst of %d short jobs, %d workers, %d schedulers, fresh user per attempt: %.1f s,"
          + " %.1f jobs/s; succeeded %d, lost %d, starts %d (double starts %d)%n", burst, nWorkers, nSchedulers, secs,
          burst / secs, ok, burst - ok, starts, starts - burst);
    } finally {
      schedulers.forEach(Scheduler::close);
    }
  }

  static void awaitAll(Jobs jobs, List<Long> ids, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (long id : ids) {
      while (!jobs.finished(id)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("job " + id + " not finished: " + jobs.status(id));
        }
        Thread.sleep(2);
      }
    }
  }
}
