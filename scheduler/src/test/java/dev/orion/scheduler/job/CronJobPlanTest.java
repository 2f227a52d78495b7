package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobStatus;
import dev.orion.common.schedule.CronExpression;
import dev.orion.scheduler.job.CronJobPlan.ConcurrencyPolicy;
import dev.orion.scheduler.job.CronJobPlan.Due;
import dev.orion.scheduler.job.CronJobPlan.Finished;
import dev.orion.scheduler.job.CronJobPlan.Fire;
import dev.orion.scheduler.job.CronJobPlan.JobState;
import dev.orion.scheduler.job.CronJobPlan.Plan;
import dev.orion.scheduler.job.CronJobPlan.Result;
import dev.orion.scheduler.job.CronJobPlan.Schedule;
import dev.orion.scheduler.job.CronJobPlan.Start;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CronJobPlanTest {
  static final CronExpression EVERY_MINUTE = CronExpression.parse("cron", "* * * * *");
  static final Instant T = Instant.parse("2027-01-01T12:00:00Z");

  @Test
  void nothingIsDueBeforeTheFirstScheduledTime() {
    assertEquals(Optional.empty(), CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T, T.plusSeconds(59), Optional.empty()));
    assertEquals(Optional.of(new Due(T.plusSeconds(60), false)),
        CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T, T.plusSeconds(61), Optional.empty()));
  }

  @Test
  void afterAnOutageOnlyTheLatestMissedRunIsDue() {
    Instant back = T.plus(Duration.ofHours(3)).plusSeconds(5);
    assertEquals(Optional.of(new Due(T.plus(Duration.ofHours(3)), false)),
        CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T, back, Optional.empty()));
    assertEquals(Optional.empty(), CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T.plus(Duration.ofHours(3)), back,
        Optional.empty()), "once created it is not due again");
  }

  @Test
  void aRunOlderThanTheStartingDeadlineIsMissed() {
    Instant now = T.plusSeconds(90);
    assertEquals(Optional.of(new Due(T.plusSeconds(60), true)),
        CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T, now, Optional.of(Duration.ofSeconds(20))));
    assertEquals(Optional.of(new Due(T.plusSeconds(60), false)),
        CronJobPlan.due(EVERY_MINUTE, ZoneOffset.UTC, T, now, Optional.of(Duration.ofSeconds(30))));
  }

  @Test
  void daylightSavingNeitherDoublesNorSkipsARun() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    CronExpression at0230 = CronExpression.parse("cron", "30 2 * * *");
    // fall-back: 02:30 happens twice on 2027-10-31, the job runs once (00:30Z)
    Instant first = Instant.parse("2027-10-31T00:30:00Z");
    assertEquals(Optional.of(new Due(first, false)), CronJobPlan.due(at0230, paris,
        Instant.parse("2027-10-30T12:00:00Z"), Instant.parse("2027-10-31T00:31:00Z"), Optional.empty()));
    assertEquals(Optional.empty(), CronJobPlan.due(at0230, paris, first,
        Instant.parse("2027-10-31T01:31:00Z"), Optional.empty()));
    // spring-forward: 02:30 does not exist on 2027-03-28, the job runs at 03:00 CEST (01:00Z)
    assertEquals(Optional.of(new Due(Instant.parse("2027-03-28T01:00:00Z"), false)), CronJobPlan.due(at0230, paris,
        Instant.parse("2027-03-27T12:00:00Z"), Instant.parse("2027-03-28T01:00:30Z"), Optional.empty()));
  }

  @Test
  void concurrencyPolicies() {
    assertEquals(Start.START, CronJobPlan.start(ConcurrencyPolicy.FORBID, 0));
    assertEquals(Start.START, CronJobPlan.start(ConcurrencyPolicy.ALLOW, 3));
    assertEquals(Start.SKIP, CronJobPlan.start(ConcurrencyPolicy.FORBID, 1));
    assertEquals(Start.REPLACE, CronJobPlan.start(ConcurrencyPolicy.REPLACE, 1));
    assertEquals(Optional.of(ConcurrencyPolicy.REPLACE), ConcurrencyPolicy.parse("Replace"));
    assertEquals(Optional.empty(), ConcurrencyPolicy.parse("replace"));
  }

  @Test
  void historyKeepsTheNewestOfEachKind() {
    List<Finished> finished = List.of(
        new Finished(1, true, T), new Finished(2, false, T.plusSeconds(60)), new Finished(3, true, T.plusSeconds(120)),
        new Finished(4, true, T.plusSeconds(180)), new Finished(5, false, T.plusSeconds(240)),
        new Finished(6, true, T.plusSeconds(300)));
    assertEquals(List.of(2L, 1L), CronJobPlan.prune(finished, 3, 1));
    assertEquals(List.of(6L, 5L, 4L, 3L, 2L, 1L), CronJobPlan.prune(finished, 0, 0));
  }

  @Test
  void jobsAreNamedAfterTheirScheduledMinute() {
    assertEquals("nightly-28175040", CronJobPlan.jobName("nightly", Instant.parse("2023-07-28T00:00:00Z")));
  }

  // --- plan: one look at a cron job ---

  static final Duration RECHECK = Duration.ofSeconds(30);
  static final CronRuns HOURLY = CronRuns.parse("0 * * * *", "UTC");

  static Schedule schedule(CronRuns runs, ConcurrencyPolicy policy, Instant lastFire) {
    return new Schedule(runs, policy, Optional.empty(), false, 3, 1, T.minus(Duration.ofDays(1)),
        Optional.ofNullable(lastFire));
  }

  static JobState running(long id) {
    return new JobState(id, JobStatus.RUNNING, null, false);
  }

  static JobState finished(long id, JobStatus status, Instant at) {
    return new JobState(id, status, at, false);
  }

  @Test
  void aDueFireCreatesItsJobAndTheNextLookComesSoonWhileTheJobRuns() {
    Instant now = T.plusSeconds(2);
    Plan p = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.ALLOW, T.minusSeconds(3600)), List.of(), now, RECHECK);
    assertEquals(Optional.of(new Fire(T, Result.CREATED)), p.fire());
    assertEquals(now.plus(RECHECK), p.nextCheck(), "its job is unfinished: looked at again for the history");
    Plan idle = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.ALLOW, T), List.of(), now, RECHECK);
    assertEquals(Optional.empty(), idle.fire(), "already dealt with");
    assertEquals(T.plusSeconds(3600), idle.nextCheck(), "nothing going: the next fire time");
  }

  @Test
  void afterAnOutageOneFireForTheLatestTimeNeverAFlood() {
    Instant now = T.plus(Duration.ofHours(5)).plusSeconds(20);
    Plan p = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.ALLOW, T), List.of(), now, RECHECK);
    assertEquals(Optional.of(new Fire(T.plus(Duration.ofHours(5)), Result.CREATED)), p.fire());
  }

  @Test
  void aFireOlderThanTheStartingDeadlineIsMissed() {
    Schedule s = new Schedule(HOURLY, ConcurrencyPolicy.ALLOW, Optional.of(Duration.ofSeconds(60)), false, 3, 1,
        T.minus(Duration.ofDays(1)), Optional.of(T.minusSeconds(3600)));
    assertEquals(Optional.of(new Fire(T, Result.MISSED_DEADLINE)),
        CronJobPlan.plan(s, List.of(), T.plusSeconds(61), RECHECK).fire());
    assertEquals(Optional.of(new Fire(T, Result.CREATED)),
        CronJobPlan.plan(s, List.of(), T.plusSeconds(60), RECHECK).fire());
  }

  @Test
  void forbidSkipsWhileAJobRunsAndReplaceCancelsIt() {
    List<JobState> jobs = List.of(running(7), new JobState(8, JobStatus.PENDING, null, true),
        finished(6, JobStatus.SUCCEEDED, T.minusSeconds(100)));
    Plan forbid = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.FORBID, T.minusSeconds(3600)), jobs,
        T.plusSeconds(1), RECHECK);
    assertEquals(Optional.of(new Fire(T, Result.SKIPPED_FORBID)), forbid.fire());
    assertEquals(List.of(), forbid.cancel());
    assertEquals(T.plusSeconds(1).plus(RECHECK), forbid.nextCheck());

    Plan replace = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.REPLACE, T.minusSeconds(3600)), jobs,
        T.plusSeconds(1), RECHECK);
    assertEquals(Optional.of(new Fire(T, Result.CREATED)), replace.fire());
    assertEquals(List.of(7L), replace.cancel(), "job 8 was asked already");

    Plan allow = CronJobPlan.plan(schedule(HOURLY, ConcurrencyPolicy.ALLOW, T.minusSeconds(3600)), jobs,
        T.plusSeconds(1), RECHECK);
    assertEquals(Optional.of(new Fire(T, Result.CREATED)), allow.fire());
    assertEquals(List.of(), allow.cancel());
  }

  @Test
  void aSuspendedCronJobLetsItsFireTimesPass() {
    Schedule s = new Schedule(HOURLY, ConcurrencyPolicy.ALLOW, Optional.empty(), true, 3, 1,
        T.minus(Duration.ofDays(1)), Optional.of(T.minusSeconds(3600)));
    Plan p = CronJobPlan.plan(s, List.of(), T.plusSeconds(1), RECHECK);
    assertEquals(Optional.of(new Fire(T, Result.SUSPENDED)), p.fire());
    assertEquals(T.plusSeconds(3600), p.nextCheck());
  }

  @Test
  void nothingFiresForTimesBeforeTheCronJobExisted() {
    Schedule s = new Schedule(HOURLY, ConcurrencyPolicy.ALLOW, Optional.empty(), false, 3, 1, T.plusSeconds(1),
        Optional.empty());
    assertEquals(Optional.empty(), CronJobPlan.plan(s, List.of(), T.plusSeconds(2), RECHECK).fire());
    assertEquals(Optional.of(new Fire(T.plusSeconds(3600), Result.CREATED)),
        CronJobPlan.plan(s, List.of(), T.plusSeconds(3601), RECHECK).fire());
  }

  @Test
  void historyLimitsCountCancelledJobsAsFailedAndNeverTouchUnfinishedOnes() {
    List<JobState> jobs = List.of(
        finished(1, JobStatus.SUCCEEDED, T.minusSeconds(500)), finished(2, JobStatus.SUCCEEDED, T.minusSeconds(400)),
        finished(3, JobStatus.FAILED, T.minusSeconds(300)), finished(4, JobStatus.CANCELLED, T.minusSeconds(200)),
        running(5), finished(6, JobStatus.SUCCEEDED, T.minusSeconds(100)));
    Schedule s = new Schedule(HOURLY, ConcurrencyPolicy.ALLOW, Optional.empty(), false, 2, 1,
        T.minus(Duration.ofDays(1)), Optional.of(T));
    assertEquals(List.of(3L, 1L), CronJobPlan.plan(s, jobs, T.plusSeconds(5), RECHECK).prune());
  }

  @Test
  void newYorkFallBackFiresOnceAndSpringForwardAtTheFirstValidInstant() {
    CronRuns at0130 = CronRuns.parse("30 1 * * *", "America/New_York");
    // 2026-11-01: 01:30 EDT (05:30Z), then 01:00-02:00 again in EST; 01:30 EST (06:30Z) is no new run.
    Instant first = Instant.parse("2026-11-01T05:30:00Z");
    Schedule before = new Schedule(at0130, ConcurrencyPolicy.ALLOW, Optional.empty(), false, 3, 1,
        Instant.parse("2026-10-01T00:00:00Z"), Optional.of(Instant.parse("2026-10-31T05:30:00Z")));
    Plan fire = CronJobPlan.plan(before, List.of(), first.plusSeconds(1), RECHECK);
    assertEquals(Optional.of(new Fire(first, Result.CREATED)), fire.fire());
    Schedule after = new Schedule(at0130, ConcurrencyPolicy.ALLOW, Optional.empty(), false, 3, 1,
        Instant.parse("2026-10-01T00:00:00Z"), Optional.of(first));
    Plan later = CronJobPlan.plan(after, List.of(), Instant.parse("2026-11-01T06:30:05Z"), RECHECK);
    assertEquals(Optional.empty(), later.fire(), "the repeated 01:30 does not fire again");
    assertEquals(Instant.parse("2026-11-02T06:30:00Z"), later.nextCheck(), "next: 01:30 EST the day after");

    // 2026-03-08: 02:00-03:00 EST does not exist; 02:30 fires at 03:00 EDT (07:00Z), once.
    CronRuns at0230 = CronRuns.parse("30 2 * * *", "America/New_York");
    Schedule spring = new Schedule(at0230, ConcurrencyPolicy.ALLOW, Optional.empty(), false, 3, 1,
        Instant.parse("2026-03-01T00:00:00Z"), Optional.of(Instant.parse("2026-03-07T07:30:00Z")));
    Plan waiting = CronJobPlan.plan(spring, List.of(), Instant.parse("2026-03-08T06:59:00Z"), RECHECK);
    assertEquals(Optional.empty(), waiting.fire());
    assertEquals(Instant.parse("2026-03-08T07:00:00Z"), waiting.nextCheck());
    assertEquals(Optional.of(new Fire(Instant.parse("2026-03-08T07:00:00Z"), Result.CREATED)),
        CronJobPlan.plan(spring, List.of(), Instant.parse("2026-03-08T07:00:01Z"), RECHECK).fire());
  }
}
