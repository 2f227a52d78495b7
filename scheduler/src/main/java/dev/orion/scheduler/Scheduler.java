package dev.orion.scheduler;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.SchedulerConfig.LoopName;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.expiry.ExpiryLoop;
import dev.orion.scheduler.health.HealthLoop;
import dev.orion.scheduler.health.HealthPolicy;
import dev.orion.scheduler.job.CronMetrics;
import dev.orion.scheduler.job.CronQueue;
import dev.orion.scheduler.job.JobLoop;
import dev.orion.scheduler.job.JobMetrics;
import dev.orion.scheduler.job.JobTtl;
import dev.orion.scheduler.migration.MigrationLoop;
import dev.orion.scheduler.pool.ArgoCd;
import dev.orion.scheduler.pool.Drivers;
import dev.orion.scheduler.pool.PoolHooks;
import dev.orion.scheduler.pool.PoolMetrics;
import dev.orion.scheduler.pool.PoolReconciler;
import dev.orion.scheduler.pool.Webhook;
import dev.orion.scheduler.rescue.RescueLoop;
import dev.orion.scheduler.scrub.ScrubLoop;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler instance: the loops its configuration names, one database pool, and one
 * persistent admin SSH connection per worker shared by every loop, so a migration or cleanup runs
 * on the connection the health checker already keeps open (no handshake on the critical path).
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final SchedulerConfig config;
  private final List<Loop> loops = new ArrayList<>();
  private final ClaimRenewer renewer;
  private final Loop renewal;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final PoolMetrics poolMetrics = new PoolMetrics();
  private final CronMetrics cronMetrics = new CronMetrics();
  private final JobMetrics jobMetrics = new JobMetrics();

  public Scheduler(SchedulerConfig config, Database db, Clock clock) {
    this(config, db, clock, null);
  }

  /**
   * @param workers how this instance acts on workers; null for the default, SSH with one
   *     persistent admin connection per worker (tests of loop logic pass a recording one)
   */
  public Scheduler(SchedulerConfig config, Database db, Clock clock, WorkerOps workers) {
    this.config = config;
    Claimant claimant = new Claimant(config.id(), config.claimTimeout(), clock);
    ClaimRenewer renewer = new ClaimRenewer(db.jdbi(), claimant);
    this.renewer = renewer;
    // Renewal runs on its own thread, so a loop busy with slow work still renews its claims.
    this.renewal = new Loop("claim-renewal", config.claimRenewInterval(), Integer.MAX_VALUE, renewer::renew);
    loops.add(renewal);
    ExecutorService ssh = executor("ssh", config.sshThreads());
    if (workers == null && config.ssh().isPresent()) {
      SshWorkerOps sshOps = new SshWorkerOps(new WorkerConnections(config.ssh().get()));
      resources.add(sshOps);
      workers = sshOps;
    }
    WorkerOps ops = workers;
    if (config.runs(LoopName.HEALTH)) {
      ExecutorService probes = executor("probe", config.sshThreads());
      HealthLoop health = new HealthLoop(db.jdbi(), claimant, renewer, config.healthBatch(),
          HealthPolicy.from(config), config.probeTimeout(), ops, probes);
      // Poll for due nodes four times per interval: each node is then probed within a quarter
      // interval of being due, whichever instance takes it.
      loops.add(new Loop("health", config.healthInterval().dividedBy(4), config.healthBatch(), health::tick));
    }
    if (config.runs(LoopName.MIGRATION)) {
      MigrationLoop migration = new MigrationLoop(db.jdbi(), claimant, renewer, config.migrationBatch(), ops, ssh);
      loops.add(new Loop("migration", config.migrationInterval(), config.migrationBatch(), migration::tick));
    }
    if (config.runs(LoopName.EXPIRY)) {
      ExpiryLoop.UserRemoval removal = ops == null ? null
          : lease -> ops.deleteAccount(lease.endpoint(), lease.clientUser());
      ExpiryLoop expiry = new ExpiryLoop(db.jdbi(), claimant, renewer, config.expiryBatch(), removal, ssh);
      loops.add(new Loop("expiry", config.expiryInterval(), config.expiryBatch(), expiry::tick));
    }
    if (config.runs(LoopName.SCRUB)) {
      ScrubLoop scrub = new ScrubLoop(db.jdbi(), claimant, renewer, config.scrubBatch(), ops, ssh);
      loops.add(new Loop("scrub", config.scrubInterval(), config.scrubBatch(), scrub::tick));
    }
    if (config.runs(LoopName.POOL)) {
      Drivers drivers = Drivers.from(config.pools());
      resources.add(drivers);
      java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
          .connectTimeout(java.time.Duration.ofSeconds(5)).build();
      PoolHooks hooks = new PoolHooks(new Webhook(http), config.pools().argocd()
          .map(a -> new ArgoCd(http, a.url(), a.username(), a.password())), config.pools().webhookAttempts());
      PoolReconciler pools = new PoolReconciler(db.jdbi(), claimant, renewer, config.pools(), drivers, ops, hooks,
          poolMetrics, executor("pool", config.sshThreads()));
      // Poll four times per interval, as health does: a pool waits at most 1.25 intervals.
      loops.add(new Loop("pool", config.pools().interval().dividedBy(4), config.pools().batch(), pools::tick));
    }
    if (config.runs(LoopName.JOBS)) {
      // One thread per attempt placed, started or watched: each holds its claim until its attempt ends.
      JobLoop jobs = new JobLoop(db.jdbi(), claimant, renewer, config.jobs(), ops,
          executor("job", config.jobs().concurrency()), jobMetrics);
      loops.add(new Loop("jobs", config.jobs().interval(), config.jobs().batch(), jobs::tick));
    }
    if (config.runs(LoopName.RESCUE)) {
      RescueLoop rescue = new RescueLoop(db.jdbi(), claimant, renewer, config.rescueAfter(), config.rescueBatch());
      loops.add(new Loop("rescue", config.rescueInterval(), config.rescueBatch(), rescue::tick));
    }
    if (config.runs(LoopName.CRON)) {
      CronQueue cron = new CronQueue(db.jdbi(), claimant, renewer, config.cron(), cronMetrics);
      loops.add(new Loop("cron", config.cron().interval(), config.cron().batch(), cron::tick));
      JobTtl ttl = new JobTtl(db.jdbi(), claimant, renewer, config.cron().ttlBatch());
      loops.add(new Loop("job-ttl", config.cron().ttlInterval(), config.cron().ttlBatch(), ttl::tick));
    }
  }

  /** Starts with each loop's tick duration recorded in {@code metrics}. */
  public Scheduler start(MeterRegistry metrics) {
    loops.forEach(l -> l.timed(metrics));
    poolMetrics.bind(metrics);
    cronMetrics.bind(metrics);
    jobMetrics.bind(metrics);
    return start();
  }

  public Scheduler start() {
    loops.forEach(Loop::start);
    log.info("scheduler {} running {}", config.id(), config.loops());
    return this;
  }

  /**
   * Stops the work loops first, each after its current round (which may be slow SSH work), while
   * the renewal loop keeps their claims alive; then the renewal loop; then releases whatever is
   * still held (a round that outlived its loop's stop wait), so no claim waits out its timeout.
   */
  @Override
  public void close() {
    List<Loop> work = loops.stream().filter(l -> l != renewal).toList();
    work.forEach(Loop::requestStop);
    work.forEach(Loop::stop);
    renewal.stop();
    try {
      int released = renewer.releaseAll();
      if (released > 0) {
        log.info("scheduler {} released {} claims still held at shutdown", config.id(), released);
      }
    } catch (RuntimeException e) {
      log.warn("releasing claims at shutdown failed, they lapse by themselves: {}", e.toString());
    }
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", r, e.toString());
      }
    }
    resources.clear();
    log.info("scheduler {} stopped", config.id());
  }

  private ExecutorService executor(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    resources.add(() -> {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    });
    return pool;
  }
}
