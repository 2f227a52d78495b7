package dev.orion.scheduler.job;

import dev.orion.common.job.JobStatus;
import dev.orion.common.worker.JobPoll;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Pure: what one look at a running attempt means, and how the job goes on once the attempt ends.
 * The order matters: a recorded exit wins over everything (the steps ended by themselves, even if a
 * cancel came a moment later); then the lease ending, a cancel, the deadline; then the worker lost
 * (its node dead, or no answer for longer than the bound); a group gone without a recorded exit was
 * killed outside Orion's knowledge (or its worker restarted) and counts as a failure.
 */
public final class AttemptDecision {
  private AttemptDecision() {}

  /** How an attempt ends, or that it goes on. */
  public enum Outcome {
    RUNNING,
    EXITED,
    CANCELLED,
    LEASE_ENDED,
    DEADLINE,
    WORKER_LOST,
    VANISHED,
    START_FAILED;

    public boolean killsGroup() {
      return this == CANCELLED || this == LEASE_ENDED || this == DEADLINE;
    }
  }

  /** Attempt reasons, as {@code job_attempts.reason} and the API show them. */
  public static final String COMPLETED = "Completed";
  public static final String ERROR = "Error";
  public static final String CANCELLED = "Cancelled";
  public static final String LEASE_ENDED = "LeaseEnded";

  /**
   * @param poll the worker's answer, or empty when it could not be asked
   * @param failingSince since when the worker has not answered (null: it answers)
   */
  public static Outcome look(Optional<JobPoll> poll, JobDao.Watch w, Instant now, Instant failingSince,
      Duration lostAfter) {
    if (poll.isPresent() && poll.get().exited()) {
      return Outcome.EXITED;
    }
    if (w.leaseStatus() != null && w.leaseStatus().equals("ended")) {
      return Outcome.LEASE_ENDED; // its end also asked the job to cancel: the more telling reason
    }
    if (w.cancelRequested()) {
      return Outcome.CANCELLED;
    }
    if (w.startedAt() != null && w.timeoutSeconds() != null
        && !now.isBefore(w.startedAt().plusSeconds(w.timeoutSeconds()))) {
      return Outcome.DEADLINE;
    }
    if ("dead".equals(w.nodeStatus()) || "forgotten".equals(w.nodeStatus())
        || (failingSince != null && !now.isBefore(failingSince.plus(lostAfter)))) {
      return Outcome.WORKER_LOST;
    }
    if (poll.isPresent() && poll.get().vanished()) {
      return Outcome.VANISHED;
    }
    return Outcome.RUNNING;
  }

  /**
   * The attempt's record and the job's next step once it ended.
   *
   * @param attemptReason {@code job_attempts.reason}
   * @param jobReason the job's reason afterwards (null when it succeeded)
   * @param failures the job's counted failures afterwards
   * @param due when a retry may start (pending only)
   */
  public record Ending(String attemptReason, JobStatus next, String jobReason, int failures,
      Instant due) {}

  public static Ending end(Outcome o, Integer exitCode, DueJob job, Retries retries, Instant now) {
    Optional<Instant> deadline = job.deadline();
    return switch (o) {
      case CANCELLED -> new Ending(CANCELLED, JobStatus.CANCELLED, CANCELLED, job.failures(), null);
      case LEASE_ENDED -> new Ending(LEASE_ENDED, JobStatus.CANCELLED, LEASE_ENDED,
          job.failures(), null);
      case DEADLINE -> new Ending(Retries.DEADLINE_EXCEEDED, JobStatus.FAILED,
          Retries.DEADLINE_EXCEEDED, job.failures(), null);
      case EXITED, VANISHED, START_FAILED, WORKER_LOST -> {
        boolean ok = o == Outcome.EXITED && exitCode != null && exitCode == 0;
        Retries.AttemptEnd end = ok ? Retries.AttemptEnd.SUCCEEDED
            : o == Outcome.WORKER_LOST ? Retries.AttemptEnd.WORKER_LOST : Retries.AttemptEnd.FAILED;
        int failures = end == Retries.AttemptEnd.FAILED ? job.failures() + 1 : job.failures();
        Retries.Next next = retries.after(end, failures, job.maxRetries(), deadline, now);
        String attemptReason = ok ? COMPLETED : o == Outcome.WORKER_LOST ? Retries.WORKER_LOST : ERROR;
        yield switch (next.kind()) {
          case SUCCEEDED -> new Ending(attemptReason, JobStatus.SUCCEEDED, null, failures, null);
          case FAILED -> new Ending(attemptReason, JobStatus.FAILED, next.reason(), failures, null);
          case RETRY -> new Ending(attemptReason, JobStatus.PENDING, next.reason(), failures,
              next.at().orElse(now));
        };
      }
      case RUNNING -> throw new IllegalArgumentException("the attempt has not ended");
    };
  }
}
