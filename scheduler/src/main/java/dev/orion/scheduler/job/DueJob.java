package dev.orion.scheduler.job;

import dev.orion.common.job.JobStatus;
import java.time.Instant;

/** A job as claimed (or as its row stands under the claim's lock). */
public record DueJob(
    long id,
    long userId,
    String name,
    String pool,
    Long rentalId,
    Long scheduledId,
    String spec,
    int maxRetries,
    Integer timeoutSeconds,
    String status,
    String reason,
    Instant dueAt,
    Instant startedAt,
    int failures,
    boolean cancelRequested) {

  public JobStatus jobStatus() {
    return JobStatus.of(status);
  }

  /** The overall deadline, counted from the first attempt's start, if the job has one and started. */
  public java.util.Optional<Instant> deadline() {
    return timeoutSeconds == null || startedAt == null ? java.util.Optional.empty()
        : java.util.Optional.of(startedAt.plusSeconds(timeoutSeconds));
  }

  /** What metrics and events name as its pool: its own lease's jobs have none. */
  public String poolLabel() {
    return pool == null ? "(lease)" : pool;
  }
}
