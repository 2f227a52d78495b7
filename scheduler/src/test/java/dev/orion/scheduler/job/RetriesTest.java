package dev.orion.scheduler.job;

import static dev.orion.scheduler.job.Retries.AttemptEnd.FAILED;
import static dev.orion.scheduler.job.Retries.AttemptEnd.SUCCEEDED;
import static dev.orion.scheduler.job.Retries.AttemptEnd.WORKER_LOST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetriesTest {
  static final Instant NOW = Instant.parse("2027-01-01T12:00:00Z");
  final Retries k8s = Retries.kubernetes();

  @Test
  void backOffDoublesFromTenSecondsUpToTenMinutes() {
    assertEquals(Duration.ofSeconds(10), k8s.backoff(1));
    assertEquals(Duration.ofSeconds(20), k8s.backoff(2));
    assertEquals(Duration.ofSeconds(40), k8s.backoff(3));
    assertEquals(Duration.ofSeconds(320), k8s.backoff(6));
    assertEquals(Duration.ofMinutes(10), k8s.backoff(7));
    assertEquals(Duration.ofMinutes(10), k8s.backoff(1000));
  }

  @Test
  void retriesUntilTheLimitThenBackoffLimitExceeded() {
    assertEquals(Retries.Next.succeeded(), k8s.after(SUCCEEDED, 2, 2, Optional.empty(), NOW));
    Retries.Next first = k8s.after(FAILED, 1, 2, Optional.empty(), NOW);
    assertEquals(Retries.Next.retry("BackOff", NOW.plusSeconds(10)), first);
    assertEquals(Retries.Next.retry("BackOff", NOW.plusSeconds(20)), k8s.after(FAILED, 2, 2, Optional.empty(), NOW));
    assertEquals(Retries.Next.failed("BackoffLimitExceeded"), k8s.after(FAILED, 3, 2, Optional.empty(), NOW));
    assertEquals(Retries.Next.failed("BackoffLimitExceeded"), k8s.after(FAILED, 1, 0, Optional.empty(), NOW),
        "max_retries 0: one attempt");
  }

  @Test
  void theDeadlineBeatsRetries() {
    Optional<Instant> deadline = Optional.of(NOW.plusSeconds(15));
    assertEquals(Retries.Next.retry("BackOff", NOW.plusSeconds(10)), k8s.after(FAILED, 1, 5, deadline, NOW));
    assertEquals(Retries.Next.failed("DeadlineExceeded"), k8s.after(FAILED, 2, 5, deadline, NOW),
        "a retry that cannot start before the deadline is not made");
    assertEquals(Retries.Next.failed("DeadlineExceeded"), k8s.after(FAILED, 1, 5, deadline, NOW.plusSeconds(15)));
    assertEquals(Retries.Next.failed("DeadlineExceeded"), k8s.after(WORKER_LOST, 0, 5, deadline, NOW.plusSeconds(20)));
  }

  @Test
  void aLostWorkerRetriesAtOnceWithoutUsingARetry() {
    assertEquals(Retries.Next.retry("WorkerLost", NOW), k8s.after(WORKER_LOST, 0, 0, Optional.empty(), NOW));
  }
}
