package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Jobs on real sandbox workers with a real database: a job runs as a throwaway user and leaves its
 * log; failures are retried after back-off; the deadline beats retries; a cancel kills the process
 * group; every attempt's worker is freed and clean afterwards.
 */
class JobRunTest {
  static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
        "ORION_SSH_KEY", TestSsh.adminKey().toString(),
        "ORION_SCHEDULER_LOOPS", "jobs",
        "ORION_JOB_BACKOFF_BASE", "1s",
        "ORION_JOB_WATCH_INTERVAL", "200ms",
        "ORION_JOB_PLACEMENT_RETRY", "300ms",
        "ORION_JOB_UNSCHEDULABLE_RETRY", "300ms"));
    env.putAll(extra);
    return env;
  }

  /** Registers the workers as nodes of {@code pool}; returns their ids in order. */
  static List<Long> register(Database db, Workers reg, String pool, List<SandboxWorker> workers) throws Exception {
    List<Long> ids = new java.util.ArrayList<>();
    for (SandboxWorker w : workers) {
      long id = reg.register(w);
      db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET pool = ? WHERE id = ?", pool, id));
      w.runInside("install -d -m 1777 /var/marks");
      ids.add(id);
    }
    return ids;
  }

  static void awaitFinished(Jobs jobs, long id, Duration within) {
    Await.until("job " + id + " finished", within, () -> jobs.finished(id),
        () -> jobs.status(id) + " " + jobs.events(id));
  }

  /** The attempt's cleanup follows its record: the user goes, then the node is marked clean. */
  static void awaitCleaned(Database db, SandboxWorker w, long node) {
    Await.until("node " + node + " free and clean, no job user on it", Duration.ofSeconds(60),
        () -> !hasJobUser(w) && db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM nodes WHERE id = :n AND allocated = 0 AND clean = 1").bind("n", node)
            .mapTo(Integer.class).one()) == 1);
  }

  /** Killed processes are listed until the worker's init has reaped them, a moment later. */
  static void awaitNoSleep(SandboxWorker w, String why) {
    Await.until(why, Duration.ofSeconds(10), () -> sleeps(w).isEmpty(), () -> "still running: " + sleeps(w));
  }

  private static String sleeps(SandboxWorker w) {
    try {
      return w.runInside("pgrep -x sleep || true").strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean hasJobUser(SandboxWorker w) {
    return w.passwd().stream().anyMatch(l -> l.startsWith("job-"));
  }

  @Test
  void succeedsWithItsLogRetriesAfterBackOffObeysTheDeadlineAndCancels() throws Exception {
    DbConfig cfg = TestDb();
    List<SandboxWorker> workers = SandboxWorker.startMany("job-solo", 1);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      long node = register(db, new Workers(db.jdbi(), fleet), "solo", workers).get(0);
      SandboxWorker w = workers.get(0);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics =
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      try (Scheduler s = new Scheduler(Instances.config("j1", cfg, env(Map.of())), db, Clock.systemUTC())
          .start(metrics)) {
        // Runs once, as a throwaway user, with its environment; stdout and stderr both kept.
        long ok = jobs.submit("solo", "echo \"$JOB_GREETING from $(id -un)\"; echo to-stderr >&2", 0, null);
        awaitFinished(jobs, ok, Duration.ofSeconds(60));
        assertEquals("succeeded", jobs.status(ok));
        List<Map<String, Object>> a = jobs.attempts(ok);
        assertEquals(1, a.size());
        assertEquals(0, ((Number) a.get(0).get("exit_code")).intValue());
        assertEquals("Completed", a.get(0).get("reason"));
        String user = (String) a.get(0).get("unix_user");
        assertTrue(user.startsWith("job-"), user);
        assertEquals("hello from " + user + "\nto-stderr\n", a.get(0).get("log"));
        assertEquals(((String) a.get(0).get("log")).length(), ((Number) a.get(0).get("log_bytes")).intValue());
        awaitCleaned(db, w, node);
        assertEquals("ended released job", db.jdbi().withHandle(h -> h.createQuery(
            "SELECT CONCAT(status, ' ', end_reason, ' ', kind) FROM rentals WHERE id = :l")
            .bind("l", a.get(0).get("lease_id")).mapTo(String.class).one()), "its internal lease ended");
        List<String> events = jobs.events(ok);
        assertTrue(events.stream().anyMatch(e -> e.startsWith("pending->running")), events.toString());
        // Over within the start's first look: its start is recorded with its end, in that order.
        int started = events.indexOf(events.stream().filter(e -> e.startsWith("running->running: attempt 1 started"))
            .findFirst().orElseThrow(() -> new AssertionError(events.toString())));
        int succeeded = events.indexOf(events.stream().filter(e -> e.startsWith("running->succeeded"))
            .findFirst().orElseThrow(() -> new AssertionError(events.toString())));
        assertTrue(started < succeeded, events.toString());
        assertTrue(a.get(0).get("pgid") != null && a.get(0).get("started_at") != null, a.get(0).toString());

        // Fails twice, then succeeds: two retries used after back-off.
        long flaky = jobs.submit("solo", "echo try >> /var/marks/flaky; [ $(wc -l < /var/marks/flaky) -ge 3 ]", 3, null);
        awaitFinished(jobs, flaky, Duration.ofSeconds(60));
        assertEquals("succeeded", jobs.status(flaky));
        List<Map<String, Object>> fa = jobs.attempts(flaky);
        assertEquals(List.of("Error", "Error", "Completed"), fa.stream().map(x -> x.get("reason")).toList());
        assertEquals(List.of(1, 1, 0), fa.stream().map(x -> ((Number) x.get("exit_code")).intValue()).toList());
        assertEquals(2, ((Number) jobs.job(flaky).get("failures")).intValue());
        assertEquals(2, jobs.events(flaky).stream().filter(e -> e.startsWith("running->pending: BackOff")).count());

        // Retries exhausted.
        long bad = jobs.submit("solo", "exit 7", 1, null);
        awaitFinished(jobs, bad, Duration.ofSeconds(60));
        assertEquals("failed", jobs.status(bad));
        assertEquals("BackoffLimitExceeded", jobs.job(bad).get("reason"));
        assertEquals(2, jobs.attempts(bad).size());

        // The deadline beats the retries left, and kills the group.
        long slow = jobs.submit("solo", "sleep 300", 5, 2);
        awaitFinished(jobs, slow, Duration.ofSeconds(60));
        assertEquals("failed", jobs.status(slow));
        assertEquals("DeadlineExceeded", jobs.job(slow).get("reason"));
        assertEquals(List.of("DeadlineExceeded"), jobs.attempts(slow).stream().map(x -> x.get("reason")).toList());
        awaitNoSleep(w, "nothing of it runs");

        // A cancel kills the process group and cleans the worker.
        long cancelled = jobs.submit("solo", "echo started; sleep 300 & sleep 300", 0, null);
        Await.until("the job runs", Duration.ofSeconds(30), () -> {
          List<Map<String, Object>> ca = jobs.attempts(cancelled);
          return !ca.isEmpty() && ca.get(0).get("pgid") != null && "started\n".equals(ca.get(0).get("log"));
        });
        jobs.cancel(cancelled);
        awaitFinished(jobs, cancelled, Duration.ofSeconds(30));
        assertEquals("cancelled", jobs.status(cancelled));
        assertEquals("Cancelled", jobs.attempts(cancelled).get(0).get("reason"));
        awaitNoSleep(w, "the whole group is killed");
        awaitCleaned(db, w, node);
        assertEquals(0, (int) db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM rentals WHERE kind = 'job' AND status <> 'ended'").mapTo(Integer.class).one()));
        assertEquals("", w.runInside("ls /var/lib/orion/jobs").strip(), "run directories removed");

        // Counted once each, by the scheduler that did the step (after its commit: awaited).
        Await.until("the last job counted", Duration.ofSeconds(60),
            () -> count(metrics, "orion_jobs", "result", "cancelled") == 1);
        assertEquals(2, count(metrics, "orion_jobs", "result", "succeeded"));
        assertEquals(2, count(metrics, "orion_jobs", "result", "failed"));
        assertEquals(2, count(metrics, "orion_job_attempts", "reason", "Completed"));
        assertEquals(4, count(metrics, "orion_job_attempts", "reason", "Error"));
        assertEquals(1, count(metrics, "orion_job_attempts", "reason", "DeadlineExceeded"));
        assertEquals(1, count(metrics, "orion_job_attempts", "reason", "Cancelled"));
        assertEquals(8, metrics.get("orion_job_dispatch").timer().count(), "one per attempt started");
        assertTrue(metrics.get("orion_loop_tick").tag("loop", "jobs").timer().count() > 0);
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  @Test
  void aJobOnTheCallersLeaseRunsAsItsClientUserAndEndsWithTheLease() throws Exception {
    DbConfig cfg = TestDb();
    List<SandboxWorker> workers = SandboxWorker.startMany("job-own", 1);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long node = register(db, reg, "own", workers).get(0);
      SandboxWorker w = workers.get(0);
      long rental = reg.lease(w, node, "c_jobowner", "pw-jobowner-1", Instant.now().plus(Duration.ofHours(1)));
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      try (Scheduler s = new Scheduler(Instances.config("o1", cfg, env(Map.of())), db, Clock.systemUTC()).start()) {
        long ok = jobs.submitOnLease(rental, "id -un; echo \"$JOB_GREETING\"");
        awaitFinished(jobs, ok, Duration.ofSeconds(60));
        assertEquals("succeeded", jobs.status(ok), jobs.events(ok).toString());
        Map<String, Object> a = jobs.attempts(ok).get(0);
        assertEquals("c_jobowner\nhello\n", a.get("log"));
        assertEquals("c_jobowner", a.get("unix_user"));
        assertEquals(null, a.get("lease_id"), "no internal lease");
        assertTrue(w.hasUser("c_jobowner"), "the lease's user stays");
        assertEquals(0, (int) db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM rentals WHERE kind = 'job'").mapTo(Integer.class).one()));

        long running = jobs.submitOnLease(rental, "echo started; sleep 300");
        Await.until("the job runs", Duration.ofSeconds(30), () -> {
          List<Map<String, Object>> ra = jobs.attempts(running);
          return !ra.isEmpty() && "started\n".equals(ra.get(0).get("log"));
        });
        // The lease is released: its jobs end with it.
        db.jdbi().useTransaction(h -> {
          dev.orion.common.lease.LeaseStore store = dev.orion.common.lease.LeaseStore.on(h);
          store.end(store.lock(List.of(rental)), dev.orion.common.lease.EndReason.RELEASED, Instant.now(), "test",
              l -> "released");
        });
        awaitFinished(jobs, running, Duration.ofSeconds(30));
        assertEquals("cancelled", jobs.status(running));
        assertEquals("LeaseEnded", jobs.job(running).get("reason"));
        assertEquals("LeaseEnded", jobs.attempts(running).get(0).get("reason"));
        awaitNoSleep(w, "its process group is killed");
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  static double count(io.micrometer.core.instrument.MeterRegistry m, String name, String tag, String value) {
    io.micrometer.core.instrument.Counter c = m.find(name).tags("pool", "solo", tag, value).counter();
    return c == null ? 0 : c.count();
  }

  static DbConfig TestDb() {
    return dev.orion.testkit.TestDb.freshConfig(8);
  }
}
