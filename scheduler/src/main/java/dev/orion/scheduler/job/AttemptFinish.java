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
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end phase: on a worker that answers, kill the group if needed, copy the rest of the output and
 * delete the throwaway user; then in one transaction fenced by the claim record the attempt, move
 * the job on as {@link AttemptDecision#end} and {@link Retries} decide (done, retry after back-off,
 * failed) and end the internal lease, which frees the worker: clean in the same transaction when its
 * user is already deleted (the epoch just taken fences it), dirty for the scrub otherwise. The run
 * directory goes last.
 */
final class AttemptFinish {
  private static final Logger log = LoggerFactory.getLogger(AttemptFinish.class);

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
   */
  record Cause(Outcome outcome, Integer exitCode, String detail, long kept) {}

  private record Ended(Ending ending, Long epoch) {}

  AttemptFinish(Claimant claimant, Retries retries, ClaimQueue<DueJob> queue, WorkerOps ops, AttemptLog output,
      JobMetrics metrics) {
    this.claimant = claimant;
    this.retries = retries;
    this.queue = queue;
    this.ops = ops;
    this.output = output;
    this.metrics = metrics;
  }

  void end(Claim<DueJob> c, AttemptRun run, Cause cause) {
    AttemptRow a = run.attempt();
    Outcome outcome = cause.outcome();
    long kept = cause.kept();
    boolean reachable = outcome != Outcome.WORKER_LOST;
    boolean userGone = false;
    if (reachable) {
      try {
        if (a.pgid() != null && (outcome.killsGroup() || !a.throwaway())) {
          // On the caller's own lease nothing of the job may outlive it; a throwaway user's
          // processes all go with the user below.
          ops.killJob(run.endpoint(), a.pgid());
        }
        if (a.pgid() != null) {
          kept = output.copyRest(c, run, kept);
        }
        if (a.throwaway()) {
          ops.deleteAccount(run.endpoint(), a.unixUser());
          userGone = true;
        }
      } catch (WorkerException e) {
        log.warn("{}: cleaning up on the worker failed, its node stays unclean for the scrub: {}", run.describe(),
            e.getMessage());
      }
    }
    Instant now = claimant.now();
    boolean deleted = userGone;
    Ended ended = queue.complete(List.of(c), (h, held) -> held.isEmpty() ? null
        : record(h, run, cause, now, deleted));
    if (ended == null) {
      log.info("{}: claim lost before its end was recorded; whoever adopts the job records it", run.describe());
      return;
    }
    Ending e = ended.ending();
    metrics.attempt(run.job().poolLabel(), e.attemptReason());
    if (e.next().finished()) {
      metrics.finished(run.job().poolLabel(), e.next().db());
    }
    if (userGone && ended.epoch() != null) {
      log.info("node {} freed clean: user {} of {} deleted", a.nodeId(), a.unixUser(), run.describe());
    }
    if (reachable && a.pgid() != null) {
      try {
        ops.removeJobDir(run.endpoint(), a.runDir());
      } catch (WorkerException ex) {
        log.warn("{}: removing {} failed: {}", run.describe(), a.runDir(), ex.getMessage());
      }
    }
  }

  private Ended record(Handle h, AttemptRun run, Cause cause, Instant now, boolean userGone) {
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
        Map<Long, Long> epochs = store.end(List.of(lease.get()),
            outcome == Outcome.WORKER_LOST ? EndReason.FAILED : EndReason.RELEASED, now, claimant.actor(),
            l -> "job " + j.id() + " attempt " + a.attempt() + " ended: " + e.attemptReason());
        epoch = epochs.get(a.nodeId());
        if (userGone && epoch != null) {
          // The user was deleted before this transaction: the node is clean as it is freed, and
          // the job waiting longest for a worker of the pool may take it at once.
          h.attach(NodeCleanliness.class).markClean(a.nodeId(), epoch);
          dao.wakeWaiting(j.pool(), now, 1);
        }
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
