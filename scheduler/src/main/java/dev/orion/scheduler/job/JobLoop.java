package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobStatus;
import dev.orion.common.lease.EndReason;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.JobScripts;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.JobStart;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.job.AttemptDecision.Ending;
import dev.orion.scheduler.job.AttemptDecision.Outcome;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: the {@code jobs} claim queue. A claimed job is one round of its own
 * ({@link ClaimQueue#claimEach}) on this instance's attempt threads, held and renewed until its
 * attempt ends:
 *
 * <ol>
 *   <li>place (fenced by the claim): a pending job takes a free alive clean worker of its pool
 *       through an internal lease (low load first, within {@code ORION_JOB_WORKER_SHARE} of the
 *       pool, counted under the pool's {@code job_pools} lock), or its own lease's node; the
 *       attempt row (node, lease, user, run directory) and {@code pending → running} are written
 *       before anything happens on the worker. No worker, a sleeping pool: it stays pending with
 *       why, and is looked at again later;
 *   <li>start: a throwaway {@code job-…} user (on an internal lease), then the steps, detached in
 *       their own process group; the start is idempotent per attempt (its run directory is the
 *       latch), so a start repeated by an adopting scheduler never runs the steps twice;
 *   <li>watch: every watch interval the worker is asked for the exit status and new output, which
 *       is appended to {@code job_attempts.log} (at most 1 MiB; {@code log_bytes} counts all);
 *       cancel, the lease's end, the deadline and a lost worker end the attempt too;
 *   <li>end (fenced): kill the group if needed, delete the user, then in one transaction record the
 *       attempt, move the job on (done, retry after back-off, failed) and end the internal lease,
 *       which frees the worker: clean in the same transaction when its user is already deleted
 *       (the epoch just taken fences it), dirty for the scrub otherwise.
 * </ol>
 *
 * A scheduler that dies mid-attempt stops renewing; once the claim lapses the job is due again as
 * {@code running} and another instance adopts it: it finds the attempt on its worker and watches it
 * to the end.
 */
public final class JobLoop {
  private static final Logger log = LoggerFactory.getLogger(JobLoop.class);
  /** What an attempt's log keeps in the database. */
  public static final int LOG_CAP = 1 << 20;
  /** Output copied per look at most, so one look stays short. */
  private static final int CHUNK = 256 * 1024;
  /** A job lease has no end of its own: the attempt ends it. */
  private static final Duration LEASE_HORIZON = Duration.ofDays(3650);
  /** Short jobs finish in milliseconds: the first looks come quickly, then every watch interval. */
  private static final Duration FIRST_LOOK = Duration.ofMillis(10);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final JobConfig config;
  private final Retries retries;
  private final WorkerOps ops;
  private final ExecutorService attempts;
  private final JobMetrics metrics;
  private final ClaimQueue<DueJob> queue;
  private final AtomicInteger running = new AtomicInteger();
  private final SecureRandom random = new SecureRandom();

  /** An attempt this instance starts or watches. */
  private record Run(DueJob job, AttemptRow attempt, boolean fresh) {
    WorkerEndpoint endpoint() {
      return attempt.endpoint();
    }

    Run withPgid(int pgid) {
      AttemptRow a = attempt;
      return new Run(job, new AttemptRow(a.jobId(), a.attempt(), a.nodeId(), a.leaseId(), a.unixUser(), a.runDir(),
          pgid, a.startedAt(), a.endedAt(), a.logKept(), a.logBytes(), a.ip(), a.sshPort(), a.hostKey()), fresh);
    }

    String describe() {
      return "job " + job.id() + " attempt " + attempt.attempt() + " on node " + attempt.nodeId();
    }
  }

  /** What placing a pending job came to: a run, or why not (it stays pending, or it finished). */
  private record Placed(Run run, String finished) {}

  public JobLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, JobConfig config, WorkerOps ops,
      ExecutorService attempts, JobMetrics metrics) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.config = config;
    this.retries = config.retries();
    this.ops = ops;
    this.attempts = attempts;
    this.metrics = metrics;
    this.queue = new ClaimQueue<>("jobs", ClaimTable.JOBS, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(JobDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(JobDao.class).load(ids), DueJob::id));
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
      case PENDING -> place(c).ifPresent(r -> start(c, r));
      case RUNNING -> adopt(c);
      default -> queue.release(List.of(c));
    }
  }

  // --- place ---

  private Optional<Run> place(Claim<DueJob> c) {
    Placed p = queue.within(List.of(c), (h, held) -> held.isEmpty() ? null : place(h, c.id()));
    if (p == null) {
      return Optional.empty();
    }
    if (p.finished() != null) {
      metrics.finished(c.item().poolLabel(), p.finished());
    }
    if (p.run() == null) {
      queue.release(List.of(c));
      return Optional.empty();
    }
    return Optional.of(p.run());
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
      return waitPending(h, dao, j, "Unschedulable", now, "no free worker" + kind + " in pool " + pool);
    }
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
      return waitPending(h, dao, j, "Unschedulable", now, "jobs hold " + held + " of pool " + pool + "'s "
          + workers + " workers, their share (" + config.workerShare() + " %) is " + cap);
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
      return waitPending(h, dao, j, "Unschedulable", now, "no free worker" + kind + " in pool " + pool);
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
    Optional<Lease> lease = h.createQuery("SELECT " + dev.orion.common.lease.LeaseDao.COLUMNS
            + " FROM rentals WHERE id = :id").bind("id", j.rentalId())
        .map((rs, ctx) -> new Lease(rs.getLong("id"), rs.getLong("node_id"), null,
            LeaseStatus.of(rs.getString("status")), rs.getString("client_user"), null, null, null, null))
        .findOne();
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
    String runDir = JobScripts.runDir(j.id(), attempt);
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
    return new Placed(new Run(j, a, true), null);
  }

  private Placed waitPending(Handle h, JobDao dao, DueJob j, String reason, Instant now, String why) {
    dao.waitPending(j.id(), reason, now.plus(config.placementRetry()));
    if (!reason.equals(j.reason())) {
      // Once per reason: a job waiting for a worker is looked at every few seconds.
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

  // --- adopt ---

  private void adopt(Claim<DueJob> c) {
    Optional<AttemptRow> a = jdbi.withExtension(JobDao.class, d -> d.latestAttempt(c.id()));
    if (a.isEmpty() || a.get().endedAt() != null) {
      log.error("job {} is running without an open attempt; left alone", c.id());
      queue.release(List.of(c));
      return;
    }
    Run run = new Run(c.item(), a.get(), false);
    Boolean held = queue.within(List.of(c), (h, still) -> {
      if (still.isEmpty()) {
        return false;
      }
      EventLog.append(h, Event.attempt(c.id(), c.item().scheduledId(), c.item().pool(), claimant.now(),
          claimant.actor(), JobStatus.RUNNING, a.get().nodeId(), a.get().leaseId(), "attempt " + a.get().attempt()
              + " adopted: the scheduler watching it stopped renewing its claim"));
      return true;
    });
    if (!held) {
      return;
    }
    log.info("{} adopted ({})", run.describe(), a.get().pgid() == null ? "start not recorded" : "process group "
        + a.get().pgid());
    if (a.get().pgid() == null) {
      start(c, run);
    } else {
      watch(c, run);
    }
  }

  // --- start ---

  private void start(Claim<DueJob> c, Run run) {
    AttemptRow a = run.attempt();
    JobLaunch launch;
    try {
      JobSpec spec = JobSpec.fromJson(run.job().spec());
      String runtime = ContainerSteps.needsRuntime(spec)
          ? jdbi.withHandle(h -> h.attach(JobDao.class).containerRuntime(a.nodeId())).orElse(null) : null;
      launch = new JobLaunch(a.runDir(), a.unixUser(), ContainerSteps.argv(spec, runtime), spec.env());
    } catch (IllegalArgumentException | IllegalStateException e) {
      end(c, run, Outcome.START_FAILED, null, "bad spec: " + e.getMessage(), 0);
      return;
    }
    JobStart s;
    try {
      if (run.fresh() && a.throwaway()) {
        ops.createAccount(run.endpoint(), new ClientAccount(a.unixUser(), "!", null));
      }
      s = ops.startJob(run.endpoint(), launch);
      if (s.state() == JobStart.State.NO_USER && a.throwaway()) {
        ops.createAccount(run.endpoint(), new ClientAccount(a.unixUser(), "!", null));
        s = ops.startJob(run.endpoint(), launch);
      }
    } catch (WorkerException e) {
      boolean lost = e.kind() == WorkerException.Kind.UNREACHABLE || e.kind() == WorkerException.Kind.TIMEOUT;
      end(c, run, lost ? Outcome.WORKER_LOST : Outcome.START_FAILED, null, e.getMessage(), 0);
      return;
    }
    if (s.state() == JobStart.State.NO_USER) {
      // The lease's client user is gone: its lease ended or moved. Retried without using up a
      // retry; the next placement finds the lease ended (cancelled) or migrating (waits).
      end(c, run, Outcome.WORKER_LOST, null, "user " + a.unixUser() + " does not exist on node " + a.nodeId(), 0);
      return;
    }
    Instant now = claimant.now();
    JobStart started = s;
    Boolean held = queue.within(List.of(c), (h, still) -> {
      if (still.isEmpty()) {
        return false;
      }
      JobDao dao = h.attach(JobDao.class);
      dao.started(a.jobId(), a.attempt(), started.pgid(), now);
      dao.jobStarted(a.jobId(), now);
      EventLog.append(h, Event.attempt(a.jobId(), run.job().scheduledId(), run.job().pool(), now, claimant.actor(),
          JobStatus.RUNNING, a.nodeId(), a.leaseId(), "attempt " + a.attempt() + (started.state()
              == JobStart.State.STARTED ? " started" : " found started") + " on node " + a.nodeId() + " as "
              + a.unixUser() + ", process group " + started.pgid()));
      return true;
    });
    if (!held) {
      return;
    }
    if (run.fresh() && s.state() == JobStart.State.STARTED) {
      metrics.dispatched(Duration.between(run.job().dueAt(), now));
    }
    log.info("{} started: process group {}", run.describe(), s.pgid());
    watch(c, run.withPgid(s.pgid()));
  }

  // --- watch ---

  private void watch(Claim<DueJob> c, Run run) {
    AttemptRow a = run.attempt();
    long kept = a.logKept();
    Instant failingSince = null;
    Duration pause = FIRST_LOOK;
    while (true) {
      if (c.lost()) {
        log.info("{}: claim lost; whoever adopts the job watches it", run.describe());
        return;
      }
      Optional<JobPoll> poll = Optional.empty();
      String error = null;
      try {
        poll = Optional.of(ops.pollJob(run.endpoint(), a.runDir(), a.pgid(), kept, room(kept)));
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
      Object[] seen = queue.within(List.of(c), (h, held) -> {
        if (held.isEmpty()) {
          return null;
        }
        JobDao dao = h.attach(JobDao.class);
        long k = p.isPresent() ? append(dao, a, from, p.get()) : from;
        return new Object[] {dao.watch(a.jobId(), a.attempt()), k};
      });
      if (seen == null) {
        log.info("{}: claim lost; whoever adopts the job watches it", run.describe());
        return;
      }
      JobDao.Watch w = (JobDao.Watch) seen[0];
      kept = (Long) seen[1];
      Outcome o = AttemptDecision.look(p, w, claimant.now(), failingSince, config.workerLostAfter());
      if (o != Outcome.RUNNING) {
        end(c, run, o, p.map(JobPoll::exitCode).orElse(null), error, kept);
        return;
      }
      boolean more = p.isPresent() && kept < Math.min(p.get().size(), LOG_CAP);
      if (!more) {
        if (!sleep(pause)) {
          return; // shutting down: the claim is released and another instance adopts the attempt
        }
        pause = pause.multipliedBy(4).compareTo(config.watchInterval()) > 0 ? config.watchInterval()
            : pause.multipliedBy(4);
      }
    }
  }

  private static int room(long kept) {
    return (int) Math.max(0, Math.min(CHUNK, LOG_CAP - kept));
  }

  /** Appends the chunk where the copy stands; returns where it stands afterwards. */
  private static long append(JobDao dao, AttemptRow a, long kept, JobPoll p) {
    if (p.chunk().length == 0) {
      dao.logBytes(a.jobId(), a.attempt(), p.size());
      return kept;
    }
    if (dao.appendLog(a.jobId(), a.attempt(), kept, p.chunk(), p.size()) == 1) {
      return kept + p.chunk().length;
    }
    return dao.logKept(a.jobId(), a.attempt());
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

  // --- end ---

  private record Ended(Ending ending, Long epoch) {}

  private void end(Claim<DueJob> c, Run run, Outcome outcome, Integer exitCode, String detail, long kept) {
    AttemptRow a = run.attempt();
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
          kept = copyRest(c, run, kept);
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
        : record(h, run, outcome, exitCode, detail, now, deleted));
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

  /** The output not yet copied, once the attempt ended (its size no longer grows). */
  private long copyRest(Claim<DueJob> c, Run run, long kept) throws WorkerException {
    AttemptRow a = run.attempt();
    while (true) {
      JobPoll p = ops.pollJob(run.endpoint(), a.runDir(), a.pgid(), kept, room(kept));
      long from = kept;
      Long k = queue.within(List.of(c), (h, held) -> held.isEmpty() ? null
          : append(h.attach(JobDao.class), a, from, p));
      if (k == null || k == from || k >= Math.min(p.size(), LOG_CAP)) {
        return k == null ? kept : k;
      }
      kept = k;
    }
  }

  private Ended record(Handle h, Run run, Outcome outcome, Integer exitCode, String detail, Instant now,
      boolean userGone) {
    AttemptRow a = run.attempt();
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
