package dev.orion.api.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobTemplate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Jobs and cron jobs as answered. */
public final class JobViews {
  private JobViews() {}

  public record JobCreated(long jobId, String status) {}

  /** One program of an attempt: its argv and, if any, the image it runs in. */
  public record JobStep(String name, List<String> command, String image) {
    static List<JobStep> of(List<JobSpec.Step> steps) {
      return steps.stream().map(s -> new JobStep(s.name(), s.command(), s.image())).toList();
    }
  }

  /** A job in a list: no attempts, no history. */
  public record JobSummary(long jobId, String name, String pool, Long rentalId, String status, String reason,
      Instant createdAt, Instant startedAt, Instant finishedAt, int maxRetries, Integer timeoutSeconds,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long scheduledId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant scheduledFor) {
    static JobSummary of(JobDao.JobRow r) {
      return new JobSummary(r.id(), r.name(), r.pool(), r.rentalId(), r.status(), r.reason(), r.createdAt(), r.startedAt(),
          r.finishedAt(), r.maxRetries(), r.timeoutSeconds(), r.scheduledId(), r.scheduledFor());
    }
  }

  /**
   * One attempt: where and when it ran, how it ended; {@code log_bytes} is what it wrote in all,
   * of which the first 1 MiB is kept.
   */
  public record JobAttempt(int attempt, long nodeId, Instant startedAt, Instant endedAt, Integer exitCode, String reason,
      long logBytes) {
    static JobAttempt of(JobDao.AttemptRow a) {
      return new JobAttempt(a.attempt(), a.nodeId(), a.startedAt(), a.endedAt(), a.exitCode(), a.reason(), a.logBytes());
    }
  }

  public record JobEvent(long id, String kind, Instant at, String actor, String fromStatus, String toStatus, Long nodeId,
      String reason) {
    static JobEvent of(JobDao.EventRow e) {
      return new JobEvent(e.id(), e.kind(), e.at(), e.actor(), e.fromStatus(), e.toStatus(), e.nodeId(), e.reason());
    }
  }

  /** One job with what it runs, every attempt and its history. */
  public record JobDetail(long jobId, String name, String pool, Long rentalId, String status, String reason,
      Instant createdAt, Instant dueAt, Instant startedAt, Instant finishedAt, int maxRetries, Integer timeoutSeconds,
      Integer ttlSecondsAfterFinished, boolean cancelRequested, List<JobStep> steps, Map<String, String> env,
      List<JobAttempt> attempts, List<JobEvent> events,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long scheduledId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant scheduledFor) {
    static JobDetail of(JobDao.JobRow r, List<JobDao.AttemptRow> attempts, List<JobDao.EventRow> events) {
      JobSpec spec = JobSpec.fromJson(r.spec());
      return new JobDetail(r.id(), r.name(), r.pool(), r.rentalId(), r.status(), r.reason(), r.createdAt(), r.dueAt(),
          r.startedAt(), r.finishedAt(), r.maxRetries(), r.timeoutSeconds(), r.ttlSecondsAfterFinished(),
          r.cancelRequested(), JobStep.of(spec.steps()), spec.env(), attempts.stream().map(JobAttempt::of).toList(),
          events.stream().map(JobEvent::of).toList(), r.scheduledId(), r.scheduledFor());
    }
  }

  /** One coming fire: {@code at} in UTC, {@code at_local} on the cron job's clock. */
  public record NextRun(Instant at, OffsetDateTime atLocal) {
    static NextRun of(CronRuns.Run r) {
      return new NextRun(r.at(), r.atLocal().toOffsetDateTime());
    }
  }

  /** A cron job with its next five fire times (none while suspended). */
  public record ScheduledJob(long scheduledId, String name, String pool, String cron, String timezone,
      String concurrencyPolicy, Integer startingDeadlineSeconds, boolean suspend, int successfulJobsHistoryLimit,
      int failedJobsHistoryLimit, int maxRetries, Integer timeoutSeconds, Integer ttlSecondsAfterFinished,
      List<JobStep> steps, Map<String, String> env, Instant createdAt, Instant updatedAt, Instant lastScheduledAt,
      List<NextRun> nextRuns) {
    static ScheduledJob of(ScheduledDao.Row r, List<CronRuns.Run> next) {
      JobTemplate t = JobTemplate.fromJson(r.spec());
      return new ScheduledJob(r.id(), r.name(), r.pool(), r.cron(), r.timezone(), r.concurrencyPolicy(),
          r.startingDeadlineSeconds(), r.suspend(), r.successfulJobsHistoryLimit(), r.failedJobsHistoryLimit(),
          t.maxRetries(), t.timeoutSeconds(), t.ttlSecondsAfterFinished(), JobStep.of(t.steps()), t.env(), r.createdAt(),
          r.updatedAt(), r.lastScheduledAt(), next.stream().map(NextRun::of).toList());
    }
  }

  /** {@code GET /healthz} as SimpleJob answers it. */
  public record Healthz(String message, int status) {}
}
