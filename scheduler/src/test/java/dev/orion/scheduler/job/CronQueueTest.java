package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.job.JobSpec;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.metrics.QueueDepthDao;
import dev.orion.testkit.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cron queue on a real MariaDB with a settable clock: each fire time becomes one job (or a
 * skip, a miss, a suspended pass) with its events; outages, daylight-saving changes, a job that
 * exists already and a dead scheduler's claim; history limits and TTL deletion.
 */
class CronQueueTest {
  static final Instant T0 = Instant.parse("2027-01-11T09:00:00Z");
  static final Duration RECHECK = Duration.ofSeconds(30);

  Database db;
  Jdbi jdbi;
  SettableClock clock;
  Crons crons;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final CronMetrics metrics = new CronMetrics();

  @BeforeEach
  void setUp() {
    db = TestDb.fresh();
    jdbi = db.jdbi();
    clock = new SettableClock(T0);
    crons = new Crons(jdbi);
    metrics.bind(registry);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  Claimant claimant(String id) {
    return new Claimant(id, Duration.ofSeconds(30), clock);
  }

  CronQueue queue(String id) {
    Claimant c = claimant(id);
    return new CronQueue(jdbi, c, new ClaimRenewer(jdbi, c),
        new CronConfig(Duration.ofMillis(500), 100, RECHECK, Duration.ofSeconds(1), 100), metrics);
  }

  double fires(String result) {
    return registry.get("orion_cron_fires").tag("result", result).counter().count();
  }

  Map<String, Object> row(String sql, Object... args) {
    return jdbi.withHandle(h -> {
      var q = h.createQuery(sql);
      for (int i = 0; i < args.length; i++) {
        q.bind(i, args[i]);
      }
      return q.mapToMap().one();
    });
  }

  Instant instant(String sql, Object... args) {
    return jdbi.withHandle(h -> {
      var q = h.createQuery(sql);
      for (int i = 0; i < args.length; i++) {
        q.bind(i, args[i]);
      }
      return q.mapTo(Instant.class).findOne().orElse(null);
    });
  }

  @Test
  void eachFireTimeMakesOneJobCopiedFromTheTemplateWithItsEvents() {
    long id = crons.schedule("nightly", "* * * * *", T0.minus(Duration.ofMinutes(10)));
    CronQueue q = queue("s1");
    clock.set(T0.plusSeconds(2));
    assertEquals(1, q.tick());

    Map<String, Object> job = row("SELECT * FROM jobs WHERE scheduled_id = ?", id);
    assertEquals(CronJobPlan.jobName("nightly", T0), job.get("name"));
    assertEquals("nightly-" + T0.getEpochSecond() / 60, job.get("name"));
    assertEquals("batch", job.get("pool"));
    assertEquals("pending", job.get("status"));
    assertEquals(2, ((Number) job.get("max_retries")).intValue());
    assertEquals(600, ((Number) job.get("timeout_seconds")).intValue());
    assertEquals(JobSpec.of(List.of("sh", "-c", "echo hi"), Map.of("A", "1")),
        JobSpec.fromJson((String) job.get("spec")));
    assertEquals(T0, instant("SELECT scheduled_for FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(T0.plusSeconds(2), instant("SELECT due_at FROM jobs WHERE scheduled_id = ?", id));
    long jobId = ((Number) job.get("id")).longValue();
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'job' AND job_id = ? AND scheduled_id = ?"
        + " AND from_status IS NULL AND to_status = 'pending' AND actor = 'scheduler:s1'", jobId, id));
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'schedule' AND scheduled_id = ?"
        + " AND to_status = 'created' AND reason LIKE '%job " + jobId + "%'", id));
    assertEquals(T0, instant("SELECT last_scheduled_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(T0.plusSeconds(2).plus(RECHECK), instant("SELECT next_check_at FROM scheduled_jobs WHERE id = ?", id),
        "its job is unfinished: looked at again within the recheck");
    assertEquals(1.0, fires("created"));

    assertEquals(0, q.tick(), "not due again before the recheck");
    clock.set(T0.plusSeconds(40));
    assertEquals(1, q.tick(), "the recheck");
    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(T0.plusSeconds(60), instant("SELECT next_check_at FROM scheduled_jobs WHERE id = ?", id));
    clock.set(T0.plusSeconds(61));
    assertEquals(1, q.tick());
    assertEquals(2, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(T0.plusSeconds(60), instant("SELECT MAX(scheduled_for) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(2.0, fires("created"));
  }

  @Test
  void afterAnOutageOnlyTheLatestMissedRunStarts() {
    long id = crons.schedule("hourly", "0 * * * *", T0.minus(Duration.ofDays(2)));
    jdbi.useHandle(h -> h.execute("UPDATE scheduled_jobs SET last_fire_at = ? WHERE id = ?",
        T0.minus(Duration.ofHours(30)), id));
    clock.set(T0.plus(Duration.ofMinutes(20)));
    queue("s1").tick();
    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(T0, instant("SELECT scheduled_for FROM jobs WHERE scheduled_id = ?", id));
  }

  @Test
  void aFireFoundPastItsStartingDeadlineIsMissedOnceAndMakesNoJob() {
    long id = crons.schedule("strict", "0 * * * *", "UTC", "Allow", 10, false, 3, 1, T0.minus(Duration.ofDays(1)));
    jdbi.useHandle(h -> h.execute("UPDATE scheduled_jobs SET last_fire_at = ? WHERE id = ?",
        T0.minus(Duration.ofHours(1)), id));
    clock.set(T0.plusSeconds(30));
    CronQueue q = queue("s1");
    q.tick();
    assertEquals(0, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ? AND to_status = 'missed_deadline'",
        id));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(null, instant("SELECT last_scheduled_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(T0.plus(Duration.ofHours(1)), instant("SELECT next_check_at FROM scheduled_jobs WHERE id = ?", id));
    crons.dueNow(id, clock.instant());
    q.tick();
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ?", id), "dealt with once");
    assertEquals(1.0, fires("missed_deadline"));
  }

  @Test
  void forbidSkipsWhileAJobRunsAndReplaceAsksItToStop() {
    Instant created = T0.minus(Duration.ofDays(1));
    long forbid = crons.schedule("forbid", "* * * * *", "UTC", "Forbid", null, false, 3, 1, created);
    long replace = crons.schedule("replace", "* * * * *", "UTC", "Replace", null, false, 3, 1, created);
    long runningF = crons.job(forbid, T0.minusSeconds(60), "running", T0.minusSeconds(60), null);
    long runningR = crons.job(replace, T0.minusSeconds(60), "running", T0.minusSeconds(60), null);
    clock.set(T0.plusSeconds(1));
    assertEquals(2, queue("s1").tick());

    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", forbid), "skipped");
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ? AND kind = 'schedule'"
        + " AND to_status = 'skipped_forbid'", forbid));
    assertEquals(0, crons.count("SELECT COUNT(*) FROM jobs WHERE id = ? AND cancel_requested", runningF));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", forbid));

    assertEquals(2, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", replace), "replaced");
    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE id = ? AND cancel_requested", runningR));
    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ? AND scheduled_for = ?"
        + " AND status = 'pending' AND NOT cancel_requested", replace, T0));
    long pendingR = crons.job(replace, T0.minusSeconds(30), "pending", T0.plusSeconds(600), null);
    clock.set(T0.plusSeconds(61));
    queue("s1").tick();
    assertEquals(1, crons.count("SELECT COUNT(*) FROM jobs WHERE id = ? AND cancel_requested AND due_at = ?", pendingR,
        T0.plusSeconds(61)), "a pending job asked to stop is due at once (its back-off cut short)");
    assertEquals(List.of(T0.plusSeconds(60)), jdbi.withHandle(h -> h.createQuery("SELECT scheduled_for FROM jobs"
        + " WHERE scheduled_id = :s AND NOT cancel_requested").bind("s", replace).mapTo(Instant.class).list()),
        "only the newest fire's job is left to run");
    assertEquals(2.0, fires("skipped_forbid"));
    assertEquals(2.0, fires("created"));
  }

  @Test
  void aSuspendedCronJobMakesNoJobs() {
    long id = crons.schedule("paused", "* * * * *", "UTC", "Allow", null, true, 3, 1, T0.minus(Duration.ofDays(1)));
    clock.set(T0.plusSeconds(1));
    queue("s1").tick();
    assertEquals(0, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ? AND to_status = 'suspended'", id));
    assertEquals(T0.plusSeconds(60), instant("SELECT next_check_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(1.0, fires("suspended"));
  }

  @Test
  void aJobAnotherSchedulerAlreadyMadeIsNotMadeAgainAndIsNoError() {
    long id = crons.schedule("raced", "* * * * *", T0.minus(Duration.ofDays(1)));
    long theirs = crons.job(id, T0, "pending", T0.plusMillis(300), null);
    clock.set(T0.plusSeconds(1));
    assertEquals(1, queue("s1").tick());
    assertEquals(List.of(theirs), jdbi.withHandle(h -> h.createQuery("SELECT id FROM jobs WHERE scheduled_id = :s")
        .bind("s", id).mapTo(Long.class).list()));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(T0, instant("SELECT last_scheduled_at FROM scheduled_jobs WHERE id = ?", id));
    assertEquals(0, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ? AND actor = 'scheduler:s1'", id));
    assertEquals(0.0, fires("created"));
  }

  @Test
  void aJobMadeConcurrentlyForTheSameFireStopsOnlyItsOwnInsertNotTheRound() throws Exception {
    long a = crons.schedule("a", "* * * * *", T0.minus(Duration.ofDays(1)));
    long b = crons.schedule("b", "* * * * *", T0.minus(Duration.ofDays(1)));
    clock.set(T0.plusSeconds(1));
    CronQueue q = queue("s1");
    // Another writer inserts a's job for the same fire and holds its transaction open: the round
    // loads no job for a, its batch insert waits on the unique key, then meets the duplicate.
    try (org.jdbi.v3.core.Handle other = jdbi.open()) {
      other.begin();
      other.execute("INSERT INTO jobs (user_id, name, pool, scheduled_id, scheduled_for, spec, status, created_at,"
          + " due_at) VALUES (?, 'a-theirs', 'batch', ?, ?, '{}', 'pending', ?, ?)", crons.userId, a, T0, T0, T0);
      // A thread of its own: the common pool may be one thread (2 cores) held by an earlier test.
      java.util.concurrent.ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor();
      java.util.concurrent.Future<Integer> round = runner.submit(q::tick);
      runner.shutdown();
      // The process list, not INNODB_TRX: InnoDB's transaction views are a cache that a quick
      // poll can keep from ever refreshing.
      long otherId = other.createQuery("SELECT CONNECTION_ID()").mapTo(Long.class).one();
      dev.orion.scheduler.testing.Await.until("the round waits on the other writer's key", Duration.ofSeconds(30),
          () -> round.isDone() || crons.count("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE db = DATABASE()"
              + " AND id <> ? AND command = 'Query' AND info LIKE 'INSERT INTO jobs%'", otherId) > 0);
      assertFalse(round.isDone(), "the round ended without meeting the other writer's uncommitted job");
      other.commit();
      assertEquals(2, round.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }
    assertEquals(List.of("a-theirs"), jdbi.withHandle(h -> h.createQuery("SELECT name FROM jobs WHERE scheduled_id = :s")
        .bind("s", a).mapTo(String.class).list()));
    assertEquals(List.of(T0), fireTimes(b));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", a));
    assertEquals(T0, instant("SELECT last_fire_at FROM scheduled_jobs WHERE id = ?", b));
    assertEquals(0, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ?", a));
    assertEquals(2, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ?", b), "job and schedule event");
    assertEquals(1.0, fires("created"));
  }

  @Test
  void aDeadSchedulersClaimHoldsItsCronJobsOnlyUntilItLapses() {
    long id = crons.schedule("orphan", "* * * * *", T0.minus(Duration.ofDays(1)));
    clock.set(T0.plusSeconds(1));
    // Claimed by a scheduler that was then killed: it never renews nor completes.
    jdbi.useHandle(h -> h.execute("UPDATE scheduled_jobs SET claimed_by = 'killed', claimed_until = ? WHERE id = ?",
        T0.plusSeconds(31), id));
    CronQueue survivor = queue("s2");
    assertEquals(0, survivor.tick(), "held by the killed scheduler's claim");
    assertEquals(0, crons.count("SELECT COUNT(*) FROM jobs WHERE scheduled_id = ?", id));
    clock.set(T0.plusSeconds(32));
    assertEquals(1, survivor.tick(), "the claim lapsed: taken over");
    assertEquals(List.of(T0), fireTimes(id), "the fire the killed scheduler held, made by the survivor");
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE scheduled_id = ? AND actor = 'scheduler:s2'"
        + " AND to_status = 'created'", id));
  }

  @Test
  void fallBackFiresOnceAndASkippedTimeFiresAtTheFirstValidInstant() {
    // New York: 2027-11-07 01:00-02:00 happens twice (EDT then EST); 2027-03-14 02:00-03:00 never.
    long fall = crons.schedule("fall", "30 1 * * *", "America/New_York", "Allow", null, false, 3, 1,
        Instant.parse("2027-11-07T03:00:00Z"));
    long spring = crons.schedule("spring", "30 2 * * *", "America/New_York", "Allow", null, false, 3, 1,
        Instant.parse("2027-03-14T04:00:00Z"));
    CronQueue q = queue("s1");
    tickEveryMinute(q, Instant.parse("2027-03-14T05:00:00Z"), Instant.parse("2027-03-14T09:00:00Z"));
    assertEquals(List.of(Instant.parse("2027-03-14T07:00:00Z")), fireTimes(spring), "02:30 EST is 03:00 EDT");
    tickEveryMinute(q, Instant.parse("2027-11-07T04:00:00Z"), Instant.parse("2027-11-07T08:00:00Z"));
    assertEquals(List.of(Instant.parse("2027-11-07T05:30:00Z")), fireTimes(fall), "01:30 EDT, not 01:30 EST again");
  }

  void tickEveryMinute(CronQueue q, Instant from, Instant to) {
    for (Instant t = from; t.isBefore(to); t = t.plusSeconds(60)) {
      clock.set(t.plusSeconds(1));
      q.tick();
    }
  }

  List<Instant> fireTimes(long scheduledId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT scheduled_for FROM jobs WHERE scheduled_id = :s"
        + " ORDER BY scheduled_for").bind("s", scheduledId).mapTo(Instant.class).list());
  }

  @Test
  void historyKeepsTheNewestFinishedJobsOfEachKindAndTheirEventsStay() {
    long id = crons.schedule("history", "0 0 1 1 *", "UTC", "Allow", null, false, 2, 1, T0.minus(Duration.ofDays(9)));
    long[] jobs = new long[6];
    String[] status = {"succeeded", "failed", "succeeded", "cancelled", "succeeded", "running"};
    for (int i = 0; i < 6; i++) {
      Instant at = T0.minus(Duration.ofHours(10 - i));
      jobs[i] = crons.job(id, at, status[i], at, null);
    }
    clock.set(T0);
    queue("s1").tick();
    List<Long> left = jdbi.withHandle(h -> h.createQuery("SELECT id FROM jobs WHERE scheduled_id = :s ORDER BY id")
        .bind("s", id).mapTo(Long.class).list());
    assertEquals(List.of(jobs[2], jobs[3], jobs[4], jobs[5]), left,
        "the two newest succeeded, the newest failed (cancelled counts as failed), the running one");
    assertEquals(4, crons.count("SELECT COUNT(*) FROM job_attempts"), "the deleted jobs' attempts went with them");
    assertEquals(6, crons.count("SELECT COUNT(*) FROM events WHERE kind = 'job' AND scheduled_id = ?", id),
        "events stay");
    assertEquals(T0.plus(RECHECK), instant("SELECT next_check_at FROM scheduled_jobs WHERE id = ?", id),
        "a job is still running: looked at again soon");
  }

  @Test
  void finishedJobsAreDeletedTheirTtlAfterTheyFinished() {
    long expiring = crons.job("succeeded", T0.minusSeconds(50), 60);
    long keptForever = crons.job("failed", T0.minusSeconds(5000), null);
    long running = crons.job("running", T0.minusSeconds(5000), 1);
    Claimant c = claimant("s1");
    JobTtl ttl = new JobTtl(jdbi, c, new ClaimRenewer(jdbi, c), 100);
    clock.set(T0);
    assertEquals(0, ttl.tick());
    clock.set(T0.plusSeconds(10));
    assertEquals(1, ttl.tick());
    assertEquals(0, crons.count("SELECT COUNT(*) FROM jobs WHERE id = ?", expiring));
    assertEquals(0, crons.count("SELECT COUNT(*) FROM job_attempts WHERE job_id = ?", expiring));
    assertEquals(1, crons.count("SELECT COUNT(*) FROM events WHERE job_id = ?", expiring), "its events stay");
    assertEquals(2, crons.count("SELECT COUNT(*) FROM jobs WHERE id IN (?, ?)", keptForever, running));
  }

  @Test
  void theCronQueuesDepthCountsDueUnclaimedCronJobs() {
    crons.schedules("deep", 3, "* * * * *", "UTC", "Allow", null, false, 3, 1, T0.minusSeconds(30));
    crons.job("succeeded", T0.minusSeconds(50), 10);
    Map<String, Long> depths = new java.util.HashMap<>();
    jdbi.withExtension(QueueDepthDao.class, d -> d.depths(T0, T0.minusSeconds(120)))
        .forEach(d -> depths.put(d.queue(), d.depth()));
    assertEquals(3L, depths.get("cron"));
    assertEquals(1L, depths.get("job-ttl"));
    assertTrue(depths.containsKey("expiry"));
  }
}
