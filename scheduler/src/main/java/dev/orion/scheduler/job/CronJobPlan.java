package dev.orion.scheduler.job;

import dev.orion.common.schedule.CronExpression;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes CronJob semantics as pure decisions: which scheduled time is due, whether it may
 * start given the jobs still running, and which finished jobs history keeps.
 */
public final class CronJobPlan {
  private CronJobPlan() {}

  public enum ConcurrencyPolicy {
    ALLOW,
    FORBID,
    REPLACE;

    /** The API's spelling: {@code Allow}, {@code Forbid}, {@code Replace}. */
    public String wire() {
      return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<ConcurrencyPolicy> parse(String s) {
      for (ConcurrencyPolicy p : values()) {
        if (p.wire().equals(s)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }
  }

  /** A scheduled time: to run, or missed because it is older than the starting deadline. */
  public record Due(Instant scheduledAt, boolean missed) {}

  /**
   * The latest scheduled time after {@code since} (the last scheduled time, or the cron job's
   * creation) and at or before {@code now}. After an outage only that one is due, never the runs
   * in between; if it is older than {@code startingDeadline} it is reported missed, not started.
   */
  public static Optional<Due> due(CronExpression cron, ZoneId zone, Instant since, Instant now,
      Optional<Duration> startingDeadline) {
    Optional<Instant> latest = cron.previous(now, zone).filter(t -> t.isAfter(since));
    return latest.map(t -> new Due(t,
        startingDeadline.isPresent() && now.isAfter(t.plus(startingDeadline.get()))));
  }

  /** What to do with a due run while {@code running} jobs of the same cron job are still going. */
  public enum Start {
    START,
    SKIP,
    REPLACE
  }

  public static Start start(ConcurrencyPolicy policy, int running) {
    if (running == 0 || policy == ConcurrencyPolicy.ALLOW) {
      return Start.START;
    }
    return policy == ConcurrencyPolicy.FORBID ? Start.SKIP : Start.REPLACE;
  }

  /** A finished job of a cron job, for history pruning. */
  public record Finished(long jobId, boolean succeeded, Instant finishedAt) {}

  /** The finished jobs to delete so that the newest {@code keepSucceeded} and {@code keepFailed} remain. */
  public static List<Long> prune(List<Finished> finished, int keepSucceeded, int keepFailed) {
    List<Finished> newestFirst = new ArrayList<>(finished);
    newestFirst.sort(Comparator.comparing(Finished::finishedAt).thenComparing(Finished::jobId).reversed());
    List<Long> delete = new ArrayList<>();
    int succeeded = 0;
    int failed = 0;
    for (Finished f : newestFirst) {
      boolean keep = f.succeeded() ? ++succeeded <= keepSucceeded : ++failed <= keepFailed;
      if (!keep) {
        delete.add(f.jobId());
      }
    }
    return delete;
  }

  /** The job a run creates is named after its cron job and scheduled time, as Kubernetes does. */
  public static String jobName(String cronJobName, Instant scheduledAt) {
    return cronJobName + "-" + scheduledAt.getEpochSecond() / 60;
  }
}
