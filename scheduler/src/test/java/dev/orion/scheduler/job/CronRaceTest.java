package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three schedulers on one database fire 1,000 cron jobs due in the same minute: each fire makes
 * exactly one job, with one job event and one schedule event. With the instances' clocks apart
 * (one 40 s ahead, beyond the others' claim timeout, so it takes rows the others still work on),
 * the claim fence and uq_jobs_fire still let exactly one job through per fire.
 */
class CronRaceTest {
  static final int CRON_JOBS = 1000;

  @ParameterizedTest(name = "clocks up to {0} s apart")
  @ValueSource(ints = {0, 40})
  void threeSchedulersMakeEachFiresJobExactlyOnce(int skewSeconds) {
    DbConfig cfg = TestDb.freshConfig(4);
    List<Database> pools = new ArrayList<>();
    List<Scheduler> schedulers = new ArrayList<>();
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    try (Database db = Database.connect(cfg)) {
      Crons crons = new Crons(db.jdbi());
      crons.schedules("race", CRON_JOBS, "* * * * *", "UTC", "Allow", null, false, 3, 1,
          minute.minus(Duration.ofMinutes(5)));
      for (int i = 0; i < 3; i++) {
        Database pool = Database.connect(cfg);
        pools.add(pool);
        SettableClock clock = new SettableClock(minute.plusSeconds(1 + (long) i * skewSeconds / 2));
        // Small batches and a short interval so the instances interleave many times.
        schedulers.add(new Scheduler(Instances.config("c" + i, cfg, Map.of("ORION_SCHEDULER_LOOPS", "cron",
            "ORION_CRON_BATCH", "25", "ORION_CRON_INTERVAL", "10ms")), pool, clock).start());
      }
      Await.until("every cron job fired", Duration.ofSeconds(120),
          () -> crons.count("SELECT COUNT(*) FROM scheduled_jobs WHERE last_fire_at IS NULL") == 0,
          () -> crons.count("SELECT COUNT(*) FROM jobs") + " jobs");
      schedulers.forEach(Scheduler::close);

      assertEquals(0, crons.count("SELECT COUNT(*) FROM (SELECT scheduled_id, scheduled_for FROM jobs"
          + " GROUP BY scheduled_id, scheduled_for HAVING COUNT(*) > 1) d"), "fires with more than one job");
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_for = ?", minute));
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(DISTINCT scheduled_id) FROM jobs"));
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(*) FROM jobs"));
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'job'"));
      assertEquals(CRON_JOBS, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'schedule'"
          + " AND to_status = 'created'"));
      assertEquals(0, crons.count("SELECT COUNT(*) FROM scheduled_jobs WHERE last_scheduled_at <> ?", minute));
      Map<String, Long> shares = new TreeMap<>();
      db.jdbi().useHandle(h -> h.createQuery("SELECT actor, COUNT(*) AS n FROM events WHERE kind = 'job'"
              + " GROUP BY actor")
          .map((rs, ctx) -> Map.entry(rs.getString("actor"), rs.getLong("n")))
          .forEach(e -> shares.put(e.getKey(), e.getValue())));
      System.out.println("clocks " + skewSeconds + " s apart, jobs made per instance: " + shares);
    } finally {
      schedulers.forEach(Scheduler::close);
      pools.forEach(Database::close);
    }
  }
}
