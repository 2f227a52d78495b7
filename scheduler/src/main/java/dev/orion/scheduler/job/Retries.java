package dev.orion.scheduler.job;

import dev.orion.common.time.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What happens to a job after one of its attempts ended, with Kubernetes Job semantics: a failed
 * attempt is retried after a back-off of {@code base × 2^(n-1)} (10 s, 20 s, 40 s … by default)
 * capped at 10 minutes, until {@code max_retries} retries are used up (BackoffLimitExceeded); the
 * job's overall deadline ends it whatever retries remain (DeadlineExceeded); an attempt lost with
 * its worker is retried elsewhere at once and does not use up a retry.
 */
public final class Retries {
  /** How an attempt ended. */
  public enum AttemptEnd {
    SUCCEEDED,
    FAILED,
    WORKER_LOST
  }

  /** The job's next step: done, failed with a reason, or another attempt not before {@code at}. */
  public record Next(Kind kind, String reason, Optional<Instant> at) {
    public enum Kind {
      SUCCEEDED,
      FAILED,
      RETRY
    }

    static Next succeeded() {
      return new Next(Kind.SUCCEEDED, null, Optional.empty());
    }

    static Next failed(String reason) {
      return new Next(Kind.FAILED, reason, Optional.empty());
    }

    static Next retry(String reason, Instant at) {
      return new Next(Kind.RETRY, reason, Optional.of(at));
    }
  }

  public static final String BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  public static final String BACK_OFF = "BackOff";
  public static final String WORKER_LOST = "WorkerLost";

  private final Duration base;
  private final Duration cap;

  public Retries(Duration base, Duration cap) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("back-off base must be positive and at most its cap");
    }
    this.base = base;
    this.cap = cap;
  }

  /** Kubernetes' defaults: 10 s doubling to at most 10 minutes. */
  public static Retries kubernetes() {
    return new Retries(Duration.ofSeconds(10), Duration.ofMinutes(10));
  }

  /** The back-off before the retry that follows the {@code failures}-th counted failure (1, 2, …). */
  public Duration backoff(int failures) {
    return Backoff.doubling(base, cap, failures - 1);
  }

  /**
   * @param failures counted failures so far, including this attempt if it failed (WorkerLost
   *     does not count)
   * @param deadline the job's {@code timeout_seconds} after its start, if it has one
   */
  public Next after(AttemptEnd end, int failures, int maxRetries, Optional<Instant> deadline, Instant now) {
    if (end == AttemptEnd.SUCCEEDED) {
      return Next.succeeded();
    }
    if (deadline.isPresent() && !now.isBefore(deadline.get())) {
      return Next.failed(DEADLINE_EXCEEDED);
    }
    if (end == AttemptEnd.WORKER_LOST) {
      return Next.retry(WORKER_LOST, now);
    }
    if (failures > maxRetries) {
      return Next.failed(BACKOFF_LIMIT_EXCEEDED);
    }
    Instant at = now.plus(backoff(failures));
    if (deadline.isPresent() && !at.isBefore(deadline.get())) {
      return Next.failed(DEADLINE_EXCEEDED); // the retry could not start before the deadline
    }
    return Next.retry(BACK_OFF, at);
  }
}
