package dev.orion.scheduler.job;

import static dev.orion.scheduler.job.JobRunTest.awaitFinished;
import static dev.orion.scheduler.job.JobRunTest.env;
import static dev.orion.scheduler.job.JobRunTest.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobStart;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.ForwardingWorkerOps;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Jobs when things fail: a worker dies mid-attempt (the attempt is lost, the job runs elsewhere
 * without using up a retry, the lease is not migrated); a scheduler dies mid-attempt, before or
 * after it recorded the start (another adopts it: the steps run once); several schedulers race on
 * many jobs (each attempt starts once); jobs never hold more than their share of a pool; the
 * cleanup after an attempt's record fails (its node stays dirty until the scrub cleans it).
 * Starts are counted by a marker each attempt appends on its worker.
 */
class JobFailoverTest {
  /** Lines of {@code file} across the workers' /var/marks. */
  static List<String> marks(List<SandboxWorker> workers, String file) throws Exception {
    List<String> all = new ArrayList<>();
    for (SandboxWorker w : workers) {
      String out = w.runInside("cat /var/marks/" + file + " 2>/dev/null || true");
      out.lines().filter(l -> !l.isBlank()).forEach(all::add);
    }
    return all;
  }

  @Test
  void aWorkerLostMidAttemptRetriesElsewhereWithoutUsingARetry() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("job-lost", 2);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      List<Long> nodes = register(db, new Workers(db.jdbi(), fleet), "lost", workers);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      Map<String, String> e = env(Map.of("ORION_SCHEDULER_LOOPS", "jobs,health",
          "ORION_HEALTH_INTERVAL", "200ms", "ORION_HEALTH_PROBE_TIMEOUT", "1s", "ORION_HEALTH_FAILURES", "2",
          "ORION_HEALTH_GUARD_MIN_NODES", "100", "ORION_JOB_WORKER_SHARE", "100"));
      try (Scheduler s = new Scheduler(Instances.config("l1", cfg, e), db, Clock.systemUTC()).start()) {
        // No retries allowed: the job can only succeed if losing its worker did not count.
        long job = jobs.submit("lost", "echo run >> /var/marks/lost; sleep 4", 0, null);
        Await.until("the first attempt runs", Duration.ofSeconds(30), () -> {
          List<Map<String, Object>> a = jobs.attempts(job);
          return !a.isEmpty() && a.get(0).get("pgid") != null;
        });
        long first = ((Number) jobs.attempts(job).get(0).get("node_id")).longValue();
        workers.get(nodes.indexOf(first)).kill();
        awaitFinished(jobs, job, Duration.ofSeconds(90));
        assertEquals("succeeded", jobs.status(job), jobs.events(job).toString());
        List<Map<String, Object>> a = jobs.attempts(job);
        assertEquals(List.of("WorkerLost", "Completed"), a.stream().map(x -> x.get("reason")).toList());
        assertTrue(((Number) a.get(1).get("node_id")).longValue() != first, "ran elsewhere");
        assertEquals(0, ((Number) jobs.job(job).get("failures")).intValue(), "no retry used");
        long lease = ((Number) a.get(0).get("lease_id")).longValue();
        assertEquals("ended failed", db.jdbi().withHandle(h -> h.createQuery(
            "SELECT CONCAT(status, ' ', end_reason) FROM rentals WHERE id = :l").bind("l", lease)
            .mapTo(String.class).one()));
        assertEquals(0, (int) db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM events WHERE lease_id = :l AND to_status = 'migrating'").bind("l", lease)
            .mapTo(Integer.class).one()), "a job's lease is never migrated");
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  @Test
  void aCleanupThatFailsAfterTheRecordLeavesTheNodeDirtyForTheScrub() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("job-clean", 1);
    SshWorkerOps real = new SshWorkerOps(new WorkerConnections(TestSsh.config()));
    CountDownLatch failed = new CountDownLatch(1);
    // The worker refuses the command that removes the run directory and the user, once: as a
    // worker that stops answering, or a scheduler that dies, right after the attempt was recorded.
    ForwardingWorkerOps flaky = new ForwardingWorkerOps(real) {
      @Override
      public void removeJob(WorkerEndpoint w, String runDir, String user) throws WorkerException {
        if (failed.getCount() > 0) {
          failed.countDown();
          throw new WorkerException(w, "remove job", WorkerException.Kind.UNREACHABLE, "as the test says");
        }
        super.removeJob(w, runDir, user);
      }
    };
    try (Database db = Database.connect(cfg); real) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      long node = register(db, new Workers(db.jdbi(), fleet), "clean", workers).get(0);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      Map<String, String> noScrub = env(Map.of("ORION_JOB_WORKER_SHARE", "100"));
      try (Scheduler s = new Scheduler(Instances.config("c1", cfg, noScrub), db, Clock.systemUTC(), flaky).start()) {
        long job = jobs.submit("clean", "echo hi", 0, null);
        awaitFinished(jobs, job, Duration.ofSeconds(30));
        assertEquals("succeeded", jobs.status(job), jobs.events(job).toString());
        assertTrue(failed.await(10, TimeUnit.SECONDS));
      }
      // Recorded, but not cleaned: the node is free and dirty (nobody can rent it), its user still there.
      assertEquals("0 0", db.jdbi().withHandle(h -> h.createQuery(
          "SELECT CONCAT(allocated, ' ', clean) FROM nodes WHERE id = :n").bind("n", node).mapTo(String.class).one()));
      assertTrue(JobRunTest.hasJobUser(workers.get(0)), "the attempt's user is left for the scrub");
      try (Scheduler scrub = new Scheduler(Instances.config("c2", cfg, env(Map.of("ORION_SCHEDULER_LOOPS", "scrub"))),
          db, Clock.systemUTC(), real).start()) {
        JobRunTest.awaitCleaned(db, workers.get(0), node);
      }
      assertEquals("", workers.get(0).runInside("ls /var/lib/orion/jobs").strip(), "run directory removed");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  /** Real SSH, but the first start hangs after the steps started: a scheduler dying before it recorded the start. */
  static final class HangAfterFirstStart extends ForwardingWorkerOps implements AutoCloseable {
    final SshWorkerOps real;
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hung;

    HangAfterFirstStart() {
      this(new SshWorkerOps(new WorkerConnections(TestSsh.config())));
    }

    private HangAfterFirstStart(SshWorkerOps real) {
      super(real);
      this.real = real;
    }

    @Override
    public JobStart startJob(WorkerEndpoint w, JobLaunch l, int maxBytes) throws WorkerException {
      JobStart s = real.startJob(w, l, maxBytes);
      if (!hung) {
        hung = true;
        started.countDown();
        try {
          release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return s;
    }

    @Override
    public void close() {
      release.countDown();
      real.close();
    }
  }

  /** The claim lapses as if its holder had died: nobody renews it, anyone may take it. */
  static void lapse(Database db, long job) {
    db.jdbi().useHandle(h -> h.execute("UPDATE jobs SET claimed_by = 'dead-scheduler',"
        + " claimed_until = ? WHERE id = ?", Instant.now().minusSeconds(1), job));
  }

  @Test
  void aSchedulerDyingMidAttemptIsAdoptedAndTheStepsRunOnce() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("job-adopt", 1);
    try (Database db = Database.connect(cfg); HangAfterFirstStart hanging = new HangAfterFirstStart()) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      register(db, new Workers(db.jdbi(), fleet), "adopt", workers);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      Map<String, String> e = env(Map.of("ORION_CLAIM_TIMEOUT", "3s", "ORION_CLAIM_RENEW_INTERVAL", "500ms"));
      try (Scheduler a = new Scheduler(Instances.config("a", cfg, e), db, Clock.systemUTC(), hanging).start()) {
        // 1. A started the steps but never recorded it (it hangs there, as good as dead).
        long early = jobs.submit("adopt", "echo start >> /var/marks/early; sleep 2; echo done", 0, null);
        assertTrue(hanging.started.await(30, TimeUnit.SECONDS));
        lapse(db, early);
        try (Scheduler b = new Scheduler(Instances.config("b", cfg, e), db, Clock.systemUTC()).start()) {
          awaitFinished(jobs, early, Duration.ofSeconds(60));
          assertEquals("succeeded", jobs.status(early), jobs.events(early).toString());
          assertEquals(List.of("start"), marks(workers, "early"), "the steps ran once");
          List<Map<String, Object>> at = jobs.attempts(early);
          assertEquals(1, at.size());
          assertEquals("done\n", at.get(0).get("log"));
          assertTrue(jobs.events(early).stream().anyMatch(x -> x.contains("adopted")), jobs.events(early).toString());
          assertTrue(jobs.events(early).stream().anyMatch(x -> x.contains("found started")),
              jobs.events(early).toString());
          hanging.release.countDown(); // A wakes up: its claim is gone, it records nothing

          // 2. The start was recorded; the watching scheduler's claim lapses mid-attempt.
          long late = jobs.submit("adopt", "echo start >> /var/marks/late; sleep 3; echo done", 0, null);
          Await.until("the attempt runs", Duration.ofSeconds(30), () -> {
            List<Map<String, Object>> x = jobs.attempts(late);
            return !x.isEmpty() && x.get(0).get("pgid") != null;
          });
          lapse(db, late);
          awaitFinished(jobs, late, Duration.ofSeconds(60));
          assertEquals("succeeded", jobs.status(late), jobs.events(late).toString());
          assertEquals(List.of("start"), marks(workers, "late"), "the steps ran once");
          assertEquals(1, jobs.attempts(late).size());
          assertEquals("done\n", jobs.attempts(late).get(0).get("log"));
          assertEquals(0, (int) db.jdbi().withHandle(h -> h.createQuery(
              "SELECT COUNT(*) FROM rentals WHERE kind = 'job' AND status <> 'ended'").mapTo(Integer.class).one()));
        }
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  @Test
  void racingSchedulersStartEachAttemptOnceAndJobsKeepToTheirShare() throws Exception {
    DbConfig cfg = TestDb.freshConfig(12);
    List<SandboxWorker> workers = SandboxWorker.startMany("job-race", 4);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      register(db, new Workers(db.jdbi(), fleet), "race", workers);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      // Jobs waiting for a worker are woken by the node marked clean after an attempt, not by their retry.
      Map<String, String> e = env(Map.of("ORION_JOB_UNSCHEDULABLE_RETRY", "30s"));
      List<Long> ids = new ArrayList<>();
      Map<Long, String> tokens = new HashMap<>();
      for (int i = 0; i < 24; i++) {
        String token = UUID.randomUUID().toString();
        long id = jobs.submit("race", "echo " + token + " >> /var/marks/race; sleep 0.3", 0, null);
        ids.add(id);
        tokens.put(id, token);
      }
      try (Scheduler a = new Scheduler(Instances.config("ra", cfg, e), db, Clock.systemUTC()).start();
          Scheduler b = new Scheduler(Instances.config("rb", cfg, e), db, Clock.systemUTC()).start();
          Scheduler c = new Scheduler(Instances.config("rc", cfg, e), db, Clock.systemUTC()).start()) {
        for (long id : ids) {
          awaitFinished(jobs, id, Duration.ofSeconds(120));
        }
        // Each worker is cleaned after its attempt is recorded, and then free and clean again.
        Await.until("every node free and clean", Duration.ofSeconds(30), () -> db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM nodes WHERE allocated = 1 OR clean = 0").mapTo(Integer.class).one()) == 0);
      }
      for (long id : ids) {
        assertEquals("succeeded", jobs.status(id), jobs.events(id).toString());
        assertEquals(1, jobs.attempts(id).size());
      }
      List<String> ran = marks(workers, "race");
      assertEquals(ids.size(), ran.size(), "one start per job");
      assertEquals(ids.size(), new java.util.HashSet<>(ran).size());
      assertEquals(new java.util.HashSet<>(tokens.values()), new java.util.HashSet<>(ran));
      // The share (50 % of 4 workers): never more than two job leases at once, by their own times.
      List<Instant[]> spans = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT created_at, ended_at FROM rentals WHERE kind = 'job'").map((rs, ctx) -> new Instant[] {
            rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()}).list());
      assertEquals(ids.size(), spans.size());
      int most = 0;
      for (Instant[] s : spans) {
        int overlapping = (int) spans.stream().filter(o -> !o[0].isAfter(s[0]) && o[1].isAfter(s[0])).count();
        most = Math.max(most, overlapping);
      }
      assertTrue(most <= 2, "at most 2 job leases at once, saw " + most);
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }
}
