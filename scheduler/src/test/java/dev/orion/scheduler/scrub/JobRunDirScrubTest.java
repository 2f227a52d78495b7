package dev.orion.scheduler.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.worker.RunDirs;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * An attempt lost with its node (WorkerLost) is recorded without anyone reaching the worker, so
 * its run directory stays there; when the node comes back unclean, the scrub removes the run
 * directories of attempts that are over (and of jobs deleted since), and keeps a running one's.
 */
class JobRunDirScrubTest {
  @Test
  void theScrubRemovesRunDirectoriesOfEndedAttemptsAndKeepsARunningOne() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("rundir", 1);
    SandboxWorker w = workers.get(0);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      long node = new Workers(db.jdbi(), fleet).register(w);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      long lost = jobs.submit("default", "true", 1, null);
      long running = jobs.submit("default", "sleep 600", 0, null);
      String lostDir = RunDirs.of(lost, 1);
      String runningDir = RunDirs.of(running, 1);
      String deletedJobsDir = RunDirs.of(running + 1000, 1);
      db.jdbi().useHandle(h -> {
        Instant t = Instant.now();
        attempt(h, lost, node, lostDir, t, t.plusSeconds(1), "WorkerLost");
        attempt(h, running, node, runningDir, t, null, null);
        h.execute("UPDATE jobs SET status = 'running' WHERE id = ?", running);
        // The node was dead and is back: alive, free, unclean.
        h.execute("UPDATE nodes SET status = 'alive', allocated = 0, clean = 0 WHERE id = ?", node);
      });
      for (String d : List.of(lostDir, runningDir, deletedJobsDir)) {
        w.runInside("mkdir -p " + d + " && echo 0 > " + d + "/exit");
      }
      // Not a run directory: the scrub leaves what it did not make alone.
      w.runInside("mkdir -p " + RunDirs.ROOT + "/notes");

      Map<String, String> env = new HashMap<>(Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString(),
          "ORION_SCHEDULER_LOOPS", "scrub", "ORION_SCRUB_INTERVAL", "200ms"));
      try (Scheduler s = new Scheduler(Instances.config("rd1", cfg, env), db, Clock.systemUTC()).start()) {
        Await.until("the node is scrubbed", Duration.ofSeconds(60), () -> db.jdbi().withHandle(h -> h.createQuery(
            "SELECT clean FROM nodes WHERE id = :n").bind("n", node).mapTo(Integer.class).one()) == 1);
      }
      assertEquals(List.of(runningDir, RunDirs.ROOT + "/notes"), w.runInside(
          "find " + RunDirs.ROOT + " -mindepth 1 -maxdepth 1").lines().sorted().toList(),
          "the lost attempt's and the deleted job's directories removed, the running attempt's kept");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  private static void attempt(Handle h, long job, long node, String dir, Instant started, Instant ended,
      String reason) {
    h.createUpdate("INSERT INTO job_attempts (job_id, attempt, node_id, unix_user, run_dir, pgid, started_at,"
            + " ended_at, reason) VALUES (:j, 1, :n, :u, :d, 4242, :s, :e, :r)")
        .bind("j", job).bind("n", node).bind("u", "job-" + job).bind("d", dir).bind("s", started)
        .bind("e", ended).bind("r", reason).execute();
  }
}
