package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobStatus;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseDao;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.worker.RunDirs;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.Claimant;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The place phase of a pending job, in one transaction fenced by its claim: a cancel or a passed
 * deadline ends it here; otherwise it takes a free alive clean worker of its pool through an
 * internal lease (low load first, within {@code ORION_JOB_WORKER_SHARE} of the pool, counted under
 * the pool's {@code job_pools} lock unless it is 100 %), or its own lease's node. The attempt row and
 * {@code pending → running} are written before anything happens on the worker. No worker, a
 * sleeping pool: it stays pending with why, and is looked at again later.
 */
final class JobPlacement {
  private static final Logger log = LoggerFactory.getLogger(JobPlacement.class);
  /** A job lease has no end of its own: the attempt ends it. */
  private static final Duration LEASE_HORIZON = Duration.ofDays(3650);
  /** No free worker: woken when one of the pool is marked clean ({@code NodeCleanliness#markClean}). */
  private static final String UNSCHEDULABLE = "Unschedulable";

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final JobConfig config;
  private final ClaimQueue<DueJob> queue;
  private final JobMetrics metrics;
  private final SecureRandom random = new SecureRandom();

  /**
   * What placing a pending job came to: a run, or why not (it stays pending, or it finished);
   * {@code noWorker}: it stays pending because no worker of its pool was free.
   */
  private record Placed(AttemptRun run, String finished, boolean noWorker) {
    Placed(AttemptRun run, String finished) {
      this(run, finished, false);
    }
  }

  private static final Placed NO_WORKER = new Placed(null, null, true);

  JobPlacement(Jdbi jdbi, Claimant claimant, JobConfig config, ClaimQueue<DueJob> queue, JobMetrics metrics) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.config = config;
    this.queue = queue;
    this.metrics = metrics;
  }

  /** The attempt placed for the claimed job, to start; empty when there is none (the claim is let go). */
  Optional<AttemptRun> place(Claim<DueJob> c) {
    Placed p = queue.within(List.of(c), (h, held) -> held.isEmpty() ? null : place(h, c.id()));
    if (p == null) {
      return Optional.empty();
    }
    if (p.finished() != null) {
      metrics.finished(c.item().poolLabel(), p.finished());
    }
    if (p.run() == null) {
      queue.release(List.of(c));
      if (p.noWorker()) {
        wakeIfAWorkerFreed(c.item());
      }
      return Optional.empty();
    }
    return Optional.of(p.run());
  }

  /**
   * A node cleaned while the placement ran wakes only jobs already parked when it looks
   * ({@code NodeCleanliness#markClean}), so it missed this one, whose park was not committed yet;
   * and the placement saw the node still dirty. Looked at again now that the park is committed,
   * a free worker makes the job due at once instead of idling until its retry.
   */
  private void wakeIfAWorkerFreed(DueJob j) {
    jdbi.useHandle(h -> {
      if (h.attach(JobDao.class).freeWorkers(j.pool(), ContainerSteps.needsRuntime(j.spec())) > 0) {
        h.attach(NodeCleanliness.class).wake(j.id(), claimant.now()); // as a node marked clean wakes one
      }
    });
  }

  private Placed place(Handle h, long jobId) {
    Instant now = claimant.now();
    JobDao dao = h.attach(JobDao.class);
    DueJob j = dao.get(jobId);
    if (j.jobStatus() != JobStatus.PENDING) {
      return new Placed(null, null);
    }
    if (j.cancelRequested()) {
      finishPending(h, j, JobStatus.CANCELLED, AttemptDecision.CANCELLED, now, "cancelled before an attempt started");
      return new Placed(null, JobStatus.CANCELLED.db());
    }
    if (j.deadline().map(d -> !now.isBefore(d)).orElse(false)) {
      finishPending(h, j, JobStatus.FAILED, Retries.DEADLINE_EXCEEDED, now,
          "deadline of " + j.timeoutSeconds() + " s since its first start passed before its next attempt");
      return new Placed(null, JobStatus.FAILED.db());
    }
    return j.rentalId() != null ? placeOnLease(h, dao, j, now) : placeInPool(h, dao, j, now);
  }

  private Placed placeInPool(Handle h, JobDao dao, DueJob j, Instant at) {
    Instant now = at;
    String pool = j.pool();
    if ("asleep".equals(dao.appliedState(pool).orElse("awake"))) {
      return waitPending(h, dao, j, "PoolAsleep", now, "pool " + pool + " is asleep");
    }
    // A full pool is the common case under load: seen without the pool's lock, so the jobs waiting
    // for a worker do not queue on it behind the one placement that can succeed.
    boolean containers = ContainerSteps.needsRuntime(j.spec());
    String kind = containers ? " with a container runtime (label " + JobSpec.CONTAINER_RUNTIME_LABEL + ")" : "";
    if (dao.freeWorkers(pool, containers) == 0) {
      waitPending(h, dao, j, UNSCHEDULABLE, now, "no free worker" + kind + " in pool " + pool);
      return NO_WORKER;
    }
    // The share is counted under the pool's lock, which placements in the pool queue on; at 100 %
    // it caps nothing the free worker's own lock does not, and is not counted.
    if (config.workerShare() < 100) {
      // Lock first, insert only when missing: INSERT IGNORE on an existing row takes a shared lock,
      // and two placements upgrading theirs to FOR UPDATE deadlock each other.
      if (dao.lockPool(pool).isEmpty()) {
        dao.ensurePool(pool);
        dao.lockPool(pool);
      }
      now = claimant.now(); // the lease starts once the pool is ours: its times order with the others
      int workers = dao.workers(pool);
      int cap = JobShare.cap(workers, config.workerShare());
      int held = dao.jobLeases(pool);
      if (held >= cap) {
        return waitPending(h, dao, j, UNSCHEDULABLE, now, "jobs hold " + held + " of pool " + pool + "'s "
            + workers + " workers, their share (" + config.workerShare() + " %) is " + cap);
      }
    }
    Optional<JobDao.FreeNode> node = Optional.empty();
    for (JobShare.Tier t : JobShare.tiers(dao.freeOfClass(pool, containers, "moderate"),
        dao.freeOfClass(pool, containers, "high"))) {
      node = t.except() ? dao.lockFreeAllBut(pool, containers, t.ids().isEmpty() ? List.of(-1L) : t.ids())
          : dao.lockFreeAmong(pool, containers, t.ids());
      if (node.isPresent()) {
        break;
      }
    }
    if (node.isEmpty()) {
      waitPending(h, dao, j, UNSCHEDULABLE, now, "no free worker" + kind + " in pool " + pool);
      return NO_WORKER;
    }
    JobDao.FreeNode n = node.get();
    String user = "job-" + HexFormat.of().formatHex(bytes(5));
    int attempt = dao.nextAttempt(j.id());
    long lease = LeaseStore.on(h).openJob(new LeaseStore.NewLease(j.userId(), n.id(), user, "!", null, now,
        now.plus(LEASE_HORIZON)), claimant.actor(), "job " + j.id() + " attempt " + attempt);
    return running(h, dao, j, n, attempt, lease, user, now);
  }

  private Placed placeOnLease(Handle h, JobDao dao, DueJob j, Instant now) {
    // A plain read: the lease is not locked here (the release locks the lease, then the jobs it
    // cancels; locking it under the job's lock would invert that order). A lease ending right
    // after this commit asks the job to cancel, which the watch honours.
    Optional<Lease> lease = dao.lease(j.rentalId()).map(LeaseDao.LeaseRow::lease);
    if (lease.isEmpty() || lease.get().status() == LeaseStatus.ENDED) {
      finishPending(h, j, JobStatus.CANCELLED, AttemptDecision.LEASE_ENDED, now, "its lease " + j.rentalId() + " ended");
      return new Placed(null, JobStatus.CANCELLED.db());
    }
    if (lease.get().status() != LeaseStatus.ACTIVE) {
      return waitPending(h, dao, j, "LeaseNotActive", now, "lease " + j.rentalId() + " is " + lease.get().status().db());
    }
    int attempt = dao.nextAttempt(j.id());
    return running(h, dao, j, dao.node(lease.get().nodeId()), attempt, null, lease.get().clientUser(), now);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private Placed running(Handle h, JobDao dao, DueJob j, JobDao.FreeNode n, int attempt, Long lease, String user,
      Instant now) {
    String runDir = RunDirs.of(j.id(), attempt);
    dao.insertAttempt(j.id(), attempt, n.id(), lease, user, runDir);
    JobStatus.requireTransition(JobStatus.PENDING, JobStatus.RUNNING);
    if (dao.setStatus(j.id(), JobStatus.PENDING.db(), JobStatus.RUNNING.db(), null) != 1) {
      throw new IllegalStateException("job " + j.id() + " changed under its lock");
    }
    EventLog.append(h, Event.job(j.id(), j.scheduledId(), j.pool(), now, claimant.actor(), JobStatus.PENDING,
        JobStatus.RUNNING, "attempt " + attempt + " on node " + n.id() + (lease == null ? " as the lease's user "
            + user : " (lease " + lease + ")")));
    log.info("job {} pending->running: attempt {} on node {} as {}", j.id(), attempt, n.id(), user);
    AttemptRow a = new AttemptRow(j.id(), attempt, n.id(), lease, user, runDir, null, null, null, 0, 0, n.ip(),
        n.sshPort(), n.hostKey());
    return new Placed(new AttemptRun(j, a, true), null);
  }

  private Placed waitPending(Handle h, JobDao dao, DueJob j, String reason, Instant now, String why) {
    Duration retry = reason.equals(UNSCHEDULABLE) ? config.unschedulableRetry() : config.placementRetry();
    dao.waitPending(j.id(), reason, now.plus(retry));
    if (!reason.equals(j.reason())) {
      // Once per reason: a job waiting is looked at again and again.
      EventLog.append(h, new Event(Event.Kind.JOB, now, claimant.actor(), null, null, JobStatus.PENDING.db(),
          JobStatus.PENDING.db(), null, null, reason + ": " + why, j.pool(), j.id(), j.scheduledId()));
      log.info("job {} stays pending ({}): {}", j.id(), reason, why);
    }
    return new Placed(null, null);
  }

  private void finishPending(Handle h, DueJob j, JobStatus to, String reason, Instant now, String why) {
    JobStatus.requireTransition(JobStatus.PENDING, to);
    if (h.attach(JobDao.class).finish(j.id(), JobStatus.PENDING.db(), to.db(), reason, now, j.failures()) != 1) {
      throw new IllegalStateException("job " + j.id() + " changed under its lock");
    }
    EventLog.append(h, Event.job(j.id(), j.scheduledId(), j.pool(), now, claimant.actor(), JobStatus.PENDING, to,
        reason + ": " + why));
    log.info("job {} pending->{} ({}): {}", j.id(), to.db(), reason, why);
  }
}
