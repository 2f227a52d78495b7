package dev.orion.scheduler.job;

import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.job.AttemptDecision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch phase: every watch interval the worker is asked for the exit status and new output,
 * which is appended to the attempt's log in a transaction fenced by the claim that also reads what
 * else ends the attempt (cancel, the lease's end, the deadline, a lost worker);
 * {@link AttemptDecision#look} decides.
 */
final class AttemptWatch {
  private static final Logger log = LoggerFactory.getLogger(AttemptWatch.class);
  /** Short jobs finish in milliseconds: the first looks come quickly, then every watch interval. */
  private static final Duration FIRST_LOOK = Duration.ofMillis(10);

  private final Claimant claimant;
  private final JobConfig config;
  private final ClaimQueue<DueJob> queue;
  private final WorkerOps ops;

  /** What a look saw in the database, with where the copy of the output stands afterwards. */
  private record Seen(JobDao.Watch watch, long kept) {}

  AttemptWatch(Claimant claimant, JobConfig config, ClaimQueue<DueJob> queue, WorkerOps ops) {
    this.claimant = claimant;
    this.config = config;
    this.queue = queue;
    this.ops = ops;
  }

  /**
   * Watches the started attempt until it ends, beginning with the start's look when it has one;
   * returns why. Empty when the claim was lost or this
   * instance is shutting down: whoever adopts the job watches it.
   */
  Optional<AttemptFinish.Cause> watch(Claim<DueJob> c, AttemptRun run, JobPoll startLook) {
    AttemptRow a = run.attempt();
    long kept = a.logKept();
    Instant failingSince = null;
    Duration pause = FIRST_LOOK;
    JobPoll given = kept == 0 ? startLook : null; // the start's look copies from offset 0
    while (true) {
      if (c.lost()) {
        log.info("{}: claim lost; whoever adopts the job watches it", run.describe());
        return Optional.empty();
      }
      Optional<JobPoll> poll = Optional.empty();
      String error = null;
      try {
        poll = Optional.of(given != null ? given
            : ops.pollJob(run.endpoint(), a.runDir(), a.pgid(), kept, AttemptLog.room(kept)));
        given = null;
        failingSince = null;
      } catch (WorkerException e) {
        error = e.getMessage();
        if (failingSince == null) {
          failingSince = claimant.now();
        }
        log.warn("{}: worker does not answer: {}", run.describe(), e.getMessage());
      }
      long from = kept;
      Optional<JobPoll> p = poll;
      Seen seen = queue.within(List.of(c), (h, held) -> {
        if (held.isEmpty()) {
          return null;
        }
        JobDao dao = h.attach(JobDao.class);
        long k = p.isPresent() ? AttemptLog.append(dao, a, from, p.get()) : from;
        return new Seen(dao.watch(a.jobId(), a.attempt()), k);
      });
      if (seen == null) {
        log.info("{}: claim lost; whoever adopts the job watches it", run.describe());
        return Optional.empty();
      }
      kept = seen.kept();
      Outcome o = AttemptDecision.look(p, seen.watch(), claimant.now(), failingSince, config.workerLostAfter());
      if (o != Outcome.RUNNING) {
        // Ended steps write nothing more: what the look saw is all there is to copy.
        boolean copied = p.isPresent() && (p.get().exited() || !p.get().running()) && !AttemptLog.more(p.get(), kept);
        return Optional.of(new AttemptFinish.Cause(o, p.map(JobPoll::exitCode).orElse(null), error, kept, copied));
      }
      boolean more = p.isPresent() && AttemptLog.more(p.get(), kept);
      if (!more) {
        if (!sleep(pause)) {
          return Optional.empty(); // shutting down: the claim is released and another instance adopts the attempt
        }
        pause = pause.multipliedBy(4).compareTo(config.watchInterval()) > 0 ? config.watchInterval()
            : pause.multipliedBy(4);
      }
    }
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
