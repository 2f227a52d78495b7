package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobStatus;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.JobStart;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.job.AttemptDecision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start phase, one command on the worker: the throwaway {@code job-…} user (on an internal
 * lease) made if missing, the steps detached in their own process group, and a first look at them.
 * The start is idempotent per attempt (its run directory is the latch), so a start repeated by an
 * adopting scheduler never runs the steps twice. The process group and start time are recorded
 * fenced by the claim: on their own, or with the end when the first look saw the steps over.
 */
final class AttemptStart {
  private static final Logger log = LoggerFactory.getLogger(AttemptStart.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimQueue<DueJob> queue;
  private final WorkerOps ops;
  private final JobMetrics metrics;

  /** What a start came to. */
  sealed interface Started {}

  /** The steps run: watch them, from the start's look at them. */
  record Watch(AttemptRun run, JobPoll look) implements Started {}

  /**
   * The attempt ends at once: nothing ran, or the look saw the steps end with all their output.
   * {@code first} is what the end's transaction writes before the end (the start and that output),
   * so a short attempt is recorded in one transaction.
   */
  record Ends(AttemptRun run, AttemptFinish.Cause cause, Consumer<Handle> first) implements Started {}

  /** The claim was lost: another scheduler has the attempt. */
  record Lost() implements Started {}

  AttemptStart(Jdbi jdbi, Claimant claimant, ClaimQueue<DueJob> queue, WorkerOps ops, JobMetrics metrics) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.queue = queue;
    this.ops = ops;
    this.metrics = metrics;
  }

  Started start(Claim<DueJob> c, AttemptRun run) {
    AttemptRow a = run.attempt();
    JobLaunch launch;
    try {
      JobSpec spec = JobSpec.fromJson(run.job().spec());
      String runtime = ContainerSteps.needsRuntime(spec)
          ? jdbi.withHandle(h -> h.attach(JobDao.class).containerRuntime(a.nodeId())).orElse(null) : null;
      launch = new JobLaunch(a.runDir(), a.unixUser(), a.throwaway(), ContainerSteps.argv(spec, runtime), spec.env());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return failed(run, Outcome.START_FAILED, "bad spec: " + e.getMessage());
    }
    JobStart s;
    try {
      s = ops.startJob(run.endpoint(), launch, AttemptLog.room(0));
    } catch (WorkerException e) {
      boolean lost = e.kind() == WorkerException.Kind.UNREACHABLE || e.kind() == WorkerException.Kind.TIMEOUT;
      return failed(run, lost ? Outcome.WORKER_LOST : Outcome.START_FAILED, e.getMessage());
    }
    if (s.state() == JobStart.State.NO_USER) {
      // The lease's client user is gone: its lease ended or moved. Retried without using up a
      // retry; the next placement finds the lease ended (cancelled) or migrating (waits).
      return failed(run, Outcome.WORKER_LOST, "user " + a.unixUser() + " does not exist on node " + a.nodeId());
    }
    Instant at = claimant.now().minus(s.since());
    if (run.fresh() && s.state() == JobStart.State.STARTED) {
      metrics.dispatched(Duration.between(run.job().dueAt(), at));
    }
    log.info("{} started: process group {}", run.describe(), s.pgid());
    AttemptRun started = run.withPgid(s.pgid());
    JobPoll look = s.look();
    if (look.exited() && !AttemptLog.more(look, look.chunk().length)) {
      return new Ends(started, new AttemptFinish.Cause(Outcome.EXITED, look.exitCode(), null,
          look.chunk().length, true), h -> {
            record(h, run, s, at);
            AttemptLog.append(h.attach(JobDao.class), a, 0, look);
          });
    }
    Boolean held = queue.within(List.of(c), (h, still) -> {
      if (still.isEmpty()) {
        return false;
      }
      record(h, run, s, at);
      return true;
    });
    return held ? new Watch(started, look) : new Lost();
  }

  /** The attempt's process group and start, the job's start, and the event. */
  private void record(Handle h, AttemptRun run, JobStart s, Instant at) {
    AttemptRow a = run.attempt();
    JobDao dao = h.attach(JobDao.class);
    dao.started(a.jobId(), a.attempt(), s.pgid(), at);
    dao.jobStarted(a.jobId(), at);
    EventLog.append(h, Event.attempt(a.jobId(), run.job().scheduledId(), run.job().pool(), at, claimant.actor(),
        JobStatus.RUNNING, a.nodeId(), a.leaseId(), "attempt " + a.attempt() + (s.state() == JobStart.State.STARTED
            ? " started" : " found started") + " on node " + a.nodeId() + " as " + a.unixUser()
            + ", process group " + s.pgid()));
  }

  /** Nothing runs on the worker: no exit code, no output copied. */
  private static Started failed(AttemptRun run, Outcome outcome, String detail) {
    return new Ends(run, new AttemptFinish.Cause(outcome, null, detail, 0, true), h -> { });
  }
}
