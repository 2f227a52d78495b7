package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.testkit.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * A scheduler process killed with SIGKILL in the middle of a fire: it has claimed every due cron
 * job and is inside its completing transaction (held there by a table lock the test takes on the
 * event log) when it dies. Nothing of its round commits; its claims keep the cron jobs from the
 * survivor until they lapse, then the survivor makes every fire's job, each exactly once.
 */
class KilledCronSchedulerTest {
  static final int CRON_JOBS = 300;

  @Test
  void aSchedulerKilledMidFireLeavesItsCronJobsToAnotherAfterTheClaimTimeout() throws Exception {
    DbConfig cfg = TestDb.freshConfig(4);
    Map<String, String> env = Map.of("ORION_SCHEDULER_LOOPS", "cron", "ORION_CRON_BATCH", "1000",
        "ORION_CRON_INTERVAL", "100ms", "ORION_CLAIM_TIMEOUT", "3s", "ORION_CLAIM_RENEW_INTERVAL", "1s");
    try (Database db = Database.connect(cfg)) {
      Crons crons = new Crons(db.jdbi());
      try (SchedulerProcess doomed = SchedulerProcess.start("doomed", cfg, env)) {
        doomed.awaitRunning();
        try (Handle lock = db.jdbi().open()) {
          lock.execute("LOCK TABLES events WRITE");
          crons.schedules("killed", CRON_JOBS, "* * * * *", "UTC", "Allow", null, false, 3, 1,
              Instant.now().minus(Duration.ofMinutes(5)));
          Await.until("the doomed scheduler holds every cron job and waits to write its round",
              Duration.ofSeconds(60), () -> crons.count("SELECT COUNT(*) FROM scheduled_jobs WHERE claimed_by ="
                  + " 'doomed'") == CRON_JOBS && crons.count("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                  + " WHERE STATE LIKE 'Waiting for table%'") > 0, doomed::log);
          doomed.kill();
          lock.execute("UNLOCK TABLES");
        }
      }
      assertEquals(0, crons.count("SELECT COUNT(*) FROM events WHERE actor = 'scheduler:doomed'"));

      try (Scheduler survivor = new Scheduler(Instances.config("survivor", cfg, env), db, Clock.systemUTC())
          .start()) {
        Await.until("every cron job fired", Duration.ofSeconds(60),
            () -> crons.count("SELECT COUNT(*) FROM scheduled_jobs WHERE last_scheduled_at IS NULL") == 0);
      }
      assertEquals(0, crons.count("SELECT COUNT(*) FROM (SELECT scheduled_id, scheduled_for FROM jobs"
          + " GROUP BY scheduled_id, scheduled_for HAVING COUNT(*) > 1) d"), "fires with more than one job");
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(DISTINCT scheduled_id) FROM jobs"));
      long jobs = crons.count("SELECT COUNT(*) FROM jobs");
      assertTrue(jobs >= CRON_JOBS, jobs + " jobs");
      assertEquals(jobs, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'job' AND actor = 'scheduler:survivor'"));
      assertEquals(0, crons.count("SELECT COUNT(*) FROM events WHERE actor = 'scheduler:doomed'"),
          "nothing of the killed round committed");
    }
  }
}
