package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.config.Env;
import dev.orion.common.db.Database;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Placement of a job that finds no worker, on a real database: parked until a worker of its pool
 * is cleaned ({@code NodeCleanliness#markClean} wakes it), unless one was freed while it was being
 * placed, which that wake cannot see yet.
 */
class JobPlacementTest {
  Database db;
  Jobs jobs;
  ExecutorService attempts;

  @BeforeEach
  void start() {
    db = TestDb.fresh();
    jobs = new Jobs(db.jdbi(), new Fleet(db.jdbi(), Instant.now()).userId());
    attempts = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    attempts.shutdownNow();
    db.close();
  }

  /** The jobs loop, its worker operations slow enough that an attempt placed stays running. */
  private JobLoop loop(int share) {
    Claimant c = new Claimant("placer", Duration.ofSeconds(30), Clock.systemUTC());
    JobConfig config = JobConfig.from(new Env(Map.of("ORION_JOB_WORKER_SHARE", String.valueOf(share))));
    return new JobLoop(db.jdbi(), c, new ClaimRenewer(db.jdbi(), c), config,
        new RecordingWorkerOps().delay(Duration.ofSeconds(60)), attempts, new JobMetrics());
  }

  /**
   * The job once its placement round is over ({@code rounds} left running on the loop): its status,
   * why it waits, and whether it is due now or later.
   */
  private String waiting(long job, JobLoop loop, int rounds) throws Exception {
    for (int i = 0; i < 200; i++) {
      Map<String, Object> j = jobs.job(job);
      if (loop.running() == rounds && "Unschedulable".equals(j.get("reason")) && j.get("claimed_until") == null) {
        Instant due = db.jdbi().withHandle(h -> h.createQuery("SELECT due_at FROM jobs WHERE id = :id")
            .bind("id", job).mapTo(Instant.class).one());
        return j.get("status") + " " + j.get("reason")
            + (Duration.between(Instant.now(), due).toSeconds() > 5 ? " later" : " now");
      }
      Thread.sleep(20);
    }
    throw new AssertionError("not parked: " + jobs.job(job));
  }

  @Test
  void aJobThatMissesAWorkerFreedWhileItWasPlacedIsDueAgainAtOnce() throws Exception {
    long node = db.jdbi().inTransaction(h -> Fleet.nodes(h, 1, "alive", false)).get(0);
    long job = jobs.submit("default", "true", 0, null);
    try (Handle other = db.jdbi().open()) {
      // Another transaction holds the only free worker, as a cleaning or a placement about to
      // commit would: the placement skips it, finds none, and parks the job.
      other.begin();
      other.createQuery("SELECT id FROM nodes WHERE id = :id FOR UPDATE").bind("id", node).mapTo(Long.class).one();
      JobLoop loop = loop(100);
      assertEquals(1, loop.tick());
      assertEquals("pending Unschedulable now", waiting(job, loop, 0), "a worker of its pool is free: due again at once");
      other.rollback();
    }
  }

  @Test
  void aJobParkedByItsShareWaitsForAWake() throws Exception {
    List<Long> nodes = db.jdbi().inTransaction(h -> Fleet.nodes(h, 2, "alive", false));
    long first = jobs.submit("default", "true", 0, null);
    JobLoop loop = loop(50);
    assertEquals(1, loop.tick());
    for (int i = 0; i < 200 && !"running".equals(jobs.status(first)); i++) {
      Thread.sleep(20);
    }
    assertEquals("running", jobs.status(first), "the share's one worker");
    long second = jobs.submit("default", "true", 0, null);
    assertEquals(1, loop.tick());
    assertEquals("pending Unschedulable later", waiting(second, loop, 1),
        "a free worker beyond the share is not taken, and the job is not woken for it");
    assertEquals(2, nodes.size());
  }
}
