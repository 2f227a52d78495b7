package dev.orion.scheduler.job;

import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobStatus;
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
 * start given the jobs still running, and which finished jobs history keeps; {@link #plan} puts
 * them together for one look at a cron job by the cron queue.
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
    return due(new CronRuns(cron, zone), since, now, startingDeadline);
  }

  public static Optional<Due> due(CronRuns runs, Instant since, Instant now, Optional<Duration> startingDeadline) {
    return due(runs.latest(now), since, now, startingDeadline);
  }

  /** {@link #due} from the cron job's latest fire time at or before {@code now}, already computed. */
  static Optional<Due> due(Optional<Instant> latestFire, Instant since, Instant now,
      Optional<Duration> startingDeadline) {
    Optional<Instant> latest = latestFire.filter(t -> t.isAfter(since));
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

  /** How a fire went; the values of {@code orion_cron_fires_total{result}} and of the schedule event. */
  public enum Result {
    /** A job was created for the fire time. */
    CREATED,
    /** Forbid, and a job of the cron job was still pending or running: no job for this time. */
    SKIPPED_FORBID,
    /** Found later than {@code starting_deadline_seconds} after its time (an outage): no job. */
    MISSED_DEADLINE,
    /** The cron job is suspended: its fire times pass without jobs. */
    SUSPENDED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What a look at a cron job needs to know of it. */
  public record Schedule(CronRuns runs, ConcurrencyPolicy policy, Optional<Duration> startingDeadline,
      boolean suspend, int keepSucceeded, int keepFailed, Instant createdAt, Optional<Instant> lastFireAt) {
    /** Fire times after this one are due: the last one dealt with, or the cron job's creation. */
    Instant since() {
      return lastFireAt.filter(t -> t.isAfter(createdAt)).orElse(createdAt);
    }
  }

  /** One job of the cron job, as it stands. */
  public record JobState(long id, JobStatus status, Instant finishedAt, boolean cancelRequested) {
    boolean active() {
      return !status.finished();
    }
  }

  /** One fire time and what became of it. */
  public record Fire(Instant scheduledFor, Result result) {}

  /**
   * @param fire the fire time dealt with now, if one was due (it becomes the cron job's last fire)
   * @param cancel running or pending jobs to cancel before the new one (Replace)
   * @param prune finished jobs beyond the history limits, to delete
   * @param nextCheck when to look at the cron job again
   */
  public record Plan(Optional<Fire> fire, List<Long> cancel, List<Long> prune, Instant nextCheck) {}

  /** A cron job that never fires again is still looked at once a day (an edit makes it due at once anyway). */
  public static final Duration IDLE_CHECK = Duration.ofDays(1);

  /**
   * One look at a cron job at {@code now}: the latest fire time not yet dealt with (never the
   * runs an outage skipped), what becomes of it given the policy and the jobs still going, the
   * jobs history no longer keeps, and the next look: its next fire time, or within
   * {@code recheck} while a job of it is unfinished, so the history limits hold soon after it ends.
   * Cancelled jobs count as failed ones for the history limits.
   */
  public static Plan plan(Schedule s, List<JobState> jobs, Instant now, Duration recheck) {
    return plan(s, Fires.of(s.runs(), now), jobs, now, recheck);
  }

  /**
   * A cron expression's fire times around {@code now}: the latest at or before it and the next
   * after it. Evaluating a cron costs far more than the rest of a plan, and many cron jobs share
   * an expression, so a round computes them once per expression and zone.
   */
  public record Fires(Optional<Instant> latest, Optional<Instant> next) {
    public static Fires of(CronRuns runs, Instant now) {
      return new Fires(runs.latest(now), runs.next(now));
    }
  }

  /** {@link #plan} with the fire times around {@code now} of the cron job's expression ({@link Fires#of}). */
  public static Plan plan(Schedule s, Fires fires, List<JobState> jobs, Instant now, Duration recheck) {
    List<JobState> active = jobs.stream().filter(JobState::active).toList();
    Optional<Fire> fire = due(fires.latest(), s.since(), now, s.startingDeadline()).map(d -> {
      if (s.suspend()) {
        return new Fire(d.scheduledAt(), Result.SUSPENDED);
      }
      if (d.missed()) {
        return new Fire(d.scheduledAt(), Result.MISSED_DEADLINE);
      }
      return new Fire(d.scheduledAt(),
          start(s.policy(), active.size()) == Start.SKIP ? Result.SKIPPED_FORBID : Result.CREATED);
    });
    boolean creates = fire.filter(f -> f.result() == Result.CREATED).isPresent();
    List<Long> cancel = creates && s.policy() == ConcurrencyPolicy.REPLACE
        ? active.stream().filter(j -> !j.cancelRequested()).map(JobState::id).toList()
        : List.of();
    List<Finished> finished = jobs.stream().filter(j -> !j.active())
        .map(j -> new Finished(j.id(), j.status() == JobStatus.SUCCEEDED,
            j.finishedAt() == null ? Instant.EPOCH : j.finishedAt())).toList();
    List<Long> prune = prune(finished, s.keepSucceeded(), s.keepFailed());
    Instant next = fires.next().orElse(now.plus(IDLE_CHECK));
    if ((creates || !active.isEmpty()) && now.plus(recheck).isBefore(next)) {
      next = now.plus(recheck);
    }
    return new Plan(fire, cancel, prune, next);
  }
}
