package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobStatus;
import dev.orion.common.lease.EndReason;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.job.AttemptDecision.Ending;
import dev.orion.scheduler.job.AttemptDecision.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end phase: on a worker that answers, kill the group if needed and copy the rest of the
 * output; then in one transaction fenced by the claim record the attempt, move the job on as
 * {@link AttemptDecision#end} and {@link Retries} decide (done, retry after back-off, failed) and
 * end the internal lease, which frees the worker dirty; then remove the run directory and the
 * throwaway user in one command and mark the node clean (its epoch, taken by the record, fences
 * that). The run directory is the start's latch, so it goes only once the attempt is recorded.
 */
final class AttemptFinish {
  private static final Logger log = LoggerFactory.getLogger(AttemptFinish.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final Retries retries;
  private final ClaimQueue<DueJob> queue;
  private final WorkerOps ops;
  private final AttemptLog output;
  private final JobMetrics metrics;

  /**
   * Why an attempt ends.
   *
   * @param exitCode the steps' exit status, if the worker reported one
   * @param detail what went wrong, for the attempt's event (null: nothing to add)
   * @param kept bytes of output already copied into the attempt's log
   * @param copied whether that is all the output there is (the steps had ended when it was copied)
   */
  record Cause(Outcome outcome, Integer exitCode, String detail, long kept, boolean copied) {}

  private record Ended(Ending ending, Long epoch) {}

  AttemptFinish(Jdbi jdbi, Claimant claimant, Retries retries, ClaimQueue<DueJob> queue, WorkerOps ops,
      AttemptLog output, JobMetrics metrics) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.retries = retries;
    this.queue = queue;
    this.ops = ops;
    this.output = output;
    this.metrics = metrics;
  }

  void end(Claim<DueJob> c, AttemptRun run, Cause cause) {
    end(c, run, cause, h -> { });
  }

  /**
   * {@code first} writes, in the record's transaction, what the record needs before it (a short
   * attempt's start and output, {@link AttemptStart.Ends}).
   */
  void end(Claim<DueJob> c, AttemptRun run, Cause cause, Consumer<Handle> first) {
    AttemptRow a = run.attempt();
    Outcome outcome = cause.outcome();
    boolean reachable = outcome != Outcome.WORKER_LOST;
    if (reachable && a.pgid() != null) {
      try {
        if (outcome.killsGroup() || !a.throwaway()) {
          // On the caller's own lease nothing of the job may outlive it; a throwaway user's
          // processes all go with the user, once the attempt is recorded.
          ops.killJob(run.endpoint(), a.pgid());
        }
        if (!cause.copied()) {
          output.copyRest(c, run, cause.kept());
        }
      } catch (WorkerException e) {
        log.warn("{}: the worker does not answer; the rest of the output is not copied: {}", run.describe(),
            e.getMessage());
      }
    }
    Instant now = claimant.now();
    Ended ended = queue.complete(List.of(c), (h, held) -> {
      if (held.isEmpty()) {
        return null;
      }
      first.accept(h);
      return record(h, run, cause, now);
    });
    if (ended == null) {
      log.info("{}: claim lost before its end was recorded; whoever adopts the job records it", run.describe());
      return;
    }
    Ending e = ended.ending();
    metrics.attempt(run.job().poolLabel(), e.attemptReason());
    if (e.next().finished()) {
      metrics.finished(run.job().poolLabel(), e.next().db());
    }
    if (reachable) {
      clean(run, ended.epoch());
    }
  }

  /**
   * After the record, one command removes the run directory (the start's latch, no longer needed)
   * and the throwaway user with everything of it; the node, freed dirty by the record, is then
   * marked clean unless it was taken or freed again meanwhile (its epoch), which wakes the job
   * waiting longest for a worker of the pool. If the worker fails here the scrub does
   * the same later.
   */
  private void clean(AttemptRun run, Long epoch) {
    AttemptRow a = run.attempt();
    try {
      if (a.throwaway()) {
        ops.removeJob(run.endpoint(), a.runDir(), a.unixUser());
      } else if (a.pgid() != null) {
        ops.removeJobDir(run.endpoint(), a.runDir());
      }
    } catch (WorkerException ex) {
      log.warn("{}: cleaning up on the worker failed; the scrub cleans its node: {}", run.describe(), ex.getMessage());
      return;
    }
    if (a.throwaway() && epoch != null) {
      try {
        if (jdbi.withExtension(NodeCleanliness.class, d -> d.markClean(a.nodeId(), epoch, claimant.now())) == 1) {
          log.info("node {} freed clean: user {} of {} deleted", a.nodeId(), a.unixUser(), run.describe());
        }
      } catch (RuntimeException ex) {
        log.warn("{}: marking node {} clean failed; the scrub does: {}", run.describe(), a.nodeId(), ex.toString());
      }
    }
  }

  private Ended record(Handle h, AttemptRun run, Cause cause, Instant now) {
    AttemptRow a = run.attempt();
    Outcome outcome = cause.outcome();
    Integer exitCode = cause.exitCode();
    String detail = cause.detail();
    JobDao dao = h.attach(JobDao.class);
    DueJob j = dao.get(a.jobId());
    if (j.jobStatus() != JobStatus.RUNNING) {
      throw new IllegalStateException("job " + j.id() + " is " + j.status() + " while its attempt ran");
    }
    Ending e = AttemptDecision.end(outcome, exitCode, j, retries, now);
    Long epoch = null;
    if (a.leaseId() != null) {
      LeaseStore store = LeaseStore.on(h);
      Optional<Lease> lease = store.lock(a.leaseId()).filter(l -> l.status().live());
      if (lease.isPresent()) {
        epoch = store.end(List.of(lease.get()),
            outcome == Outcome.WORKER_LOST ? EndReason.FAILED : EndReason.RELEASED, now, claimant.actor(),
            l -> "job " + j.id() + " attempt " + a.attempt() + " ended: " + e.attemptReason()).get(a.nodeId());
      }
    }
    Integer code = outcome == Outcome.EXITED ? exitCode : null;
    dao.endAttempt(a.jobId(), a.attempt(), now, code, e.attemptReason());
    JobStatus.requireTransition(JobStatus.RUNNING, e.next());
    int n = e.next() == JobStatus.PENDING ? dao.retry(j.id(), e.jobReason(), e.due(), e.failures())
        : dao.finish(j.id(), JobStatus.RUNNING.db(), e.next().db(), e.jobReason(), now, e.failures());
    if (n != 1) {
      throw new IllegalStateException("job " + j.id() + " changed under its lock");
    }
    String attemptText = "attempt " + a.attempt() + " ended: " + e.attemptReason()
        + (code == null ? "" : " (exit code " + code + ")") + (detail == null ? "" : ": " + detail);
    String jobText = switch (e.next()) {
      case PENDING -> e.jobReason() + ": attempt " + (a.attempt() + 1) + " from " + e.due()
          + " (failures " + e.failures() + " of " + j.maxRetries() + " retries)";
      case SUCCEEDED -> "attempt " + a.attempt() + " succeeded";
      default -> e.jobReason() + " after attempt " + a.attempt();
    };
    EventLog.append(h, List.of(
        Event.attempt(j.id(), j.scheduledId(), j.pool(), now, claimant.actor(), JobStatus.RUNNING, a.nodeId(),
            a.leaseId(), attemptText),
        Event.job(j.id(), j.scheduledId(), j.pool(), now, claimant.actor(), JobStatus.RUNNING, e.next(), jobText)));
    log.info("job {} running->{}: {}; {}", j.id(), e.next().db(), attemptText, jobText);
    return new Ended(e, epoch);
  }
}
