package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.orion.common.job.JobStatus;
import dev.orion.common.worker.JobPoll;
import dev.orion.scheduler.job.AttemptDecision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What one look at an attempt means, and how the job goes on after it, decided without I/O. */
class AttemptDecisionTest {
  static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  static final Duration LOST = Duration.ofSeconds(30);
  static final Retries RETRIES = new Retries(Duration.ofSeconds(10), Duration.ofMinutes(10));

  static JobDao.Watch watch(boolean cancel, Integer timeout, String node, String lease) {
    return new JobDao.Watch(cancel, T0, timeout, node, lease);
  }

  static Optional<JobPoll> running() {
    return Optional.of(new JobPoll(true, null, 0, new byte[0]));
  }

  static Optional<JobPoll> exited(int code) {
    return Optional.of(new JobPoll(false, code, 0, new byte[0]));
  }

  static DueJob job(int failures, int maxRetries, Integer timeout) {
    return new DueJob(1, 1, "j", "p", null, null, "{}", maxRetries, timeout, "running", null, T0, T0, failures, false);
  }

  @Test
  void anExitWinsOverEverythingElse() {
    assertEquals(Outcome.EXITED, AttemptDecision.look(exited(0), watch(true, 1, "dead", "ended"),
        T0.plusSeconds(100), T0, LOST));
  }

  @Test
  void thenTheLeaseEndThenCancelThenDeadlineThenTheWorker() {
    Instant late = T0.plusSeconds(100);
    assertEquals(Outcome.LEASE_ENDED, AttemptDecision.look(running(), watch(true, 1, "dead", "ended"), late, T0, LOST));
    assertEquals(Outcome.CANCELLED, AttemptDecision.look(running(), watch(true, 1, "dead", "active"), late, T0, LOST));
    assertEquals(Outcome.DEADLINE, AttemptDecision.look(running(), watch(false, 1, "dead", "active"), late, T0, LOST));
    assertEquals(Outcome.WORKER_LOST, AttemptDecision.look(Optional.empty(), watch(false, null, "dead", "active"),
        T0.plusSeconds(1), T0, LOST), "a dead node loses its attempts at once");
    assertEquals(Outcome.RUNNING, AttemptDecision.look(Optional.empty(), watch(false, null, "alive", "active"),
        T0.plusSeconds(29), T0, LOST), "a worker that does not answer for a while is not lost yet");
    assertEquals(Outcome.WORKER_LOST, AttemptDecision.look(Optional.empty(), watch(false, null, "alive", "active"),
        T0.plusSeconds(30), T0, LOST), "nor answers for the bound");
    assertEquals(Outcome.VANISHED, AttemptDecision.look(Optional.of(new JobPoll(false, null, 0, new byte[0])),
        watch(false, null, "alive", "active"), T0, null, LOST));
    assertEquals(Outcome.RUNNING, AttemptDecision.look(running(), watch(false, 60, "alive", null), T0.plusSeconds(59),
        null, LOST));
  }

  @Test
  void endingsFollowKubernetes() {
    Instant now = T0.plusSeconds(5);
    AttemptDecision.Ending ok = AttemptDecision.end(Outcome.EXITED, 0, job(0, 0, null), RETRIES, now);
    assertEquals(List.of("Completed", JobStatus.SUCCEEDED), List.of(ok.attemptReason(), ok.next()));
    assertNull(ok.jobReason());

    AttemptDecision.Ending retry = AttemptDecision.end(Outcome.EXITED, 3, job(1, 3, null), RETRIES, now);
    assertEquals(List.of("Error", JobStatus.PENDING, "BackOff", 2), List.of(retry.attemptReason(), retry.next(),
        retry.jobReason(), retry.failures()));
    assertEquals(now.plusSeconds(20), retry.due(), "10 s doubled for the second failure");

    AttemptDecision.Ending out = AttemptDecision.end(Outcome.EXITED, 3, job(1, 1, null), RETRIES, now);
    assertEquals(List.of(JobStatus.FAILED, "BackoffLimitExceeded"), List.of(out.next(), out.jobReason()));

    AttemptDecision.Ending lost = AttemptDecision.end(Outcome.WORKER_LOST, null, job(0, 0, null), RETRIES, now);
    assertEquals(List.of("WorkerLost", JobStatus.PENDING, "WorkerLost", 0), List.of(lost.attemptReason(), lost.next(),
        lost.jobReason(), lost.failures()), "no retry used, retried at once");
    assertEquals(now, lost.due());

    AttemptDecision.Ending deadline = AttemptDecision.end(Outcome.DEADLINE, null, job(0, 5, 2), RETRIES, now);
    assertEquals(List.of("DeadlineExceeded", JobStatus.FAILED, "DeadlineExceeded"),
        List.of(deadline.attemptReason(), deadline.next(), deadline.jobReason()));

    AttemptDecision.Ending tooLate = AttemptDecision.end(Outcome.EXITED, 1, job(0, 5, 12), RETRIES, now);
    assertEquals(List.of(JobStatus.FAILED, "DeadlineExceeded"), List.of(tooLate.next(), tooLate.jobReason()),
        "a retry that could not start before the deadline");

    AttemptDecision.Ending cancelled = AttemptDecision.end(Outcome.CANCELLED, null, job(0, 5, null), RETRIES, now);
    assertEquals(List.of("Cancelled", JobStatus.CANCELLED), List.of(cancelled.attemptReason(), cancelled.next()));
    AttemptDecision.Ending vanished = AttemptDecision.end(Outcome.VANISHED, null, job(0, 0, null), RETRIES, now);
    assertEquals(List.of("Error", JobStatus.FAILED, 1), List.of(vanished.attemptReason(), vanished.next(),
        vanished.failures()), "a group killed behind Orion's back counts as a failure");
  }
}
