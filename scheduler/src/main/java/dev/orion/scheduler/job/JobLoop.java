package dev.orion.scheduler.job;

import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs jobs: the {@code jobs} claim queue. A claimed job is one round of its own
 * ({@link ClaimQueue#claimEach}) on this instance's attempt threads, held and renewed until its
 * attempt ends, and handed through the phases:
 *
 * <ol>
 *   <li>{@link JobPlacement} (fenced by the claim): a pending job takes a worker through an
 *       internal lease, or its own lease's node, and its attempt row is written before anything
 *       happens on the worker; or it stays pending with why;
 *   <li>{@link AttemptStart}: the throwaway user and the steps in their own process group, once
 *       per attempt (its run directory is the latch);
 *   <li>{@link AttemptWatch}: exit status and new output every watch interval ({@link AttemptLog}),
 *       until an exit, a cancel, the lease's end, the deadline or a lost worker;
 *   <li>{@link AttemptFinish} (fenced): clean the worker, record the attempt, move the job on
 *       (done, retry after back-off, failed) and end the internal lease.
 * </ol>
 *
 * A scheduler that dies mid-attempt stops renewing; once the claim lapses the job is due again as
 * {@code running} and another instance adopts it ({@link JobAdoption}): it finds the attempt on its
 * worker and starts or watches it to the end.
 */
public final class JobLoop {
  private final JobConfig config;
  private final ExecutorService attempts;
  private final ClaimQueue<DueJob> queue;
  private final JobPlacement placement;
  private final JobAdoption adoption;
  private final AttemptStart start;
  private final AttemptWatch watch;
  private final AttemptFinish finish;
  private final AtomicInteger running = new AtomicInteger();

  public JobLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, JobConfig config, WorkerOps ops,
      ExecutorService attempts, JobMetrics metrics) {
    this.config = config;
    this.attempts = attempts;
    this.queue = new ClaimQueue<>("jobs", ClaimTable.JOBS, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(JobDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(JobDao.class).load(ids), DueJob::id));
    this.placement = new JobPlacement(jdbi, claimant, config, queue, metrics);
    this.adoption = new JobAdoption(jdbi, claimant, queue);
    this.start = new AttemptStart(jdbi, claimant, queue, ops, metrics);
    this.watch = new AttemptWatch(claimant, config, queue, ops);
    this.finish = new AttemptFinish(jdbi, claimant, config.retries(), queue, ops, new AttemptLog(queue, ops), metrics);
  }

  /** One round: claims as many due jobs as this instance has room for; returns how many. */
  public int tick() {
    int free = config.concurrency() - running.get();
    if (free <= 0) {
      return 0;
    }
    return queue.claimEach(Math.min(free, config.batch()), this::execute, claims -> {
      run(claims.get(0));
      return null;
    });
  }

  /** Attempts this instance is placing, starting or watching now. */
  public int running() {
    return running.get();
  }

  private void execute(Runnable r) {
    running.incrementAndGet();
    try {
      attempts.execute(() -> {
        try {
          r.run();
        } finally {
          running.decrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      running.decrementAndGet();
      throw e;
    }
  }

  private void run(Claim<DueJob> c) {
    switch (c.item().jobStatus()) {
      case PENDING -> placement.place(c).ifPresent(r -> start(c, r));
      case RUNNING -> adoption.adopt(c).ifPresent(r -> {
        if (r.attempt().pgid() == null) {
          start(c, r);
        } else {
          watch(c, r, null);
        }
      });
      default -> queue.release(List.of(c));
    }
  }

  private void start(Claim<DueJob> c, AttemptRun run) {
    AttemptStart.Started s = start.start(c, run);
    // Lost: another scheduler holds the attempt now, nothing more to do here.
    if (s instanceof AttemptStart.Ends e) {
      finish.end(c, e.run(), e.cause(), e.first());
    } else if (s instanceof AttemptStart.Watch w) {
      watch(c, w.run(), w.look());
    }
  }

  private void watch(Claim<DueJob> c, AttemptRun run, JobPoll startLook) {
    watch.watch(c, run, startLook).ifPresent(cause -> finish.end(c, run, cause));
  }
}
