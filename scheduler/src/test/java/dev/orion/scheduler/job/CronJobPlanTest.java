package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.schedule.CronExpression;
import dev.orion.scheduler.job.CronJobPlan.ConcurrencyPolicy;
import dev.orion.scheduler.job.CronJobPlan.Due;
import dev.orion.scheduler.job.CronJobPlan.Finished;
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
}
