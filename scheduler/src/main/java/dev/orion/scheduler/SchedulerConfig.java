package dev.orion.scheduler;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.db.DbConfig;
import dev.orion.common.lease.RescueBound;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.ssh.SshConfig;
import dev.orion.scheduler.job.CronConfig;
import dev.orion.scheduler.job.JobConfig;
import dev.orion.scheduler.pool.PoolConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Everything one scheduler instance needs, read once from the environment and validated before
 * anything starts. Instances are equal: they differ only in {@link #id}.
 *
 * @param id names this instance in claims ({@code claimed_by}) and in lease events
 *     ({@code scheduler:<id>}); {@code ORION_SCHEDULER_ID}, or the host name plus a random suffix
 * @param claimTimeout how long a claim keeps other instances away without renewal; a dead or
 *     paused instance delays its work by at most this
 * @param claimRenewInterval how often a live instance renews the claims it still works on, so work
 *     longer than the claim timeout keeps its claim; at most half the claim timeout, so one missed
 *     renewal (a slow database) does not lose every claim
 * @param rescueAfter ({@link RescueBound}, the API's too) how long a lease may stay provisioning before the rescue loop ends it as
 *     failed: longer than any live rent takes (its SSH connect and command timeouts)
 * @param loops which loops this instance runs (all by default; benchmarks run only expiry)
 * @param ssh admin SSH access to workers; an instance without it may run only the expiry loop
 * @param pools how pools are put to sleep and woken ({@link PoolConfig})
 * @param cron how cron jobs fire and finished jobs expire ({@link CronConfig})
 * @param jobs how jobs run ({@link JobConfig})
 * @param metrics the instance's internal listener for /metrics and /health ({@code ORION_METRICS_*};
 *     two instances on one host need different ports)
 */
public record SchedulerConfig(
    String id,
    DbConfig db,
    Set<LoopName> loops,
    Duration claimTimeout,
    Duration claimRenewInterval,
    Duration schemaWait,
    Duration expiryInterval,
    int expiryBatch,
    Duration migrationInterval,
    int migrationBatch,
    Duration scrubInterval,
    int scrubBatch,
    Duration rescueAfter,
    Duration rescueInterval,
    int rescueBatch,
    Duration healthInterval,
    int healthBatch,
    int deadAfterFailures,
    Duration probeTimeout,
    Duration heartbeatTimeout,
    int massFailurePercent,
    int guardMinNodes,
    Duration dbStallThreshold,
    int sshThreads,
    Optional<SshConfig> ssh,
    MetricsConfig metrics,
    PoolConfig pools,
    CronConfig cron,
    JobConfig jobs) {

  public static final int DEFAULT_METRICS_PORT = 9480;

  /** The loops an instance can run. */
  public enum LoopName { HEALTH, MIGRATION, EXPIRY, SCRUB, RESCUE, POOL, CRON, JOBS }

  public static final int MAX_ID_LENGTH = 48; // "scheduler:" + id must fit events.actor (64)

  public SchedulerConfig {
    if (!id.matches("[A-Za-z0-9._-]{1," + MAX_ID_LENGTH + "}")) {
      throw new ConfigException("ORION_SCHEDULER_ID",
          "must be 1-" + MAX_ID_LENGTH + " letters, digits, '.', '_' or '-', got '" + id + "'");
    }
    if (claimRenewInterval.isZero() || claimRenewInterval.isNegative()
        || claimRenewInterval.multipliedBy(2).compareTo(claimTimeout) > 0) {
      throw new ConfigException("ORION_CLAIM_RENEW_INTERVAL", "must be positive and at most half of"
          + " ORION_CLAIM_TIMEOUT (" + claimTimeout + "), got " + claimRenewInterval);
    }
    RescueBound.check(rescueAfter, ssh.orElse(null));
    if (probeTimeout.compareTo(claimTimeout) >= 0) {
      throw new ConfigException("ORION_HEALTH_PROBE_TIMEOUT",
          "must be shorter than ORION_CLAIM_TIMEOUT (" + claimTimeout + "), got " + probeTimeout);
    }
    if (dbStallThreshold.compareTo(probeTimeout.plus(healthInterval)) <= 0) {
      throw new ConfigException("ORION_HEALTH_DB_STALL", "must exceed ORION_HEALTH_PROBE_TIMEOUT plus"
          + " ORION_HEALTH_INTERVAL (" + probeTimeout.plus(healthInterval) + "), got " + dbStallThreshold);
    }
    loops = Set.copyOf(loops);
    if (ssh.isEmpty() && (loops.contains(LoopName.HEALTH) || loops.contains(LoopName.MIGRATION)
        || loops.contains(LoopName.SCRUB) || loops.contains(LoopName.POOL) || loops.contains(LoopName.JOBS))) {
      throw new ConfigException("ORION_SSH_KEY", "is required for the health, migration, scrub, pool and jobs loops"
          + " (set ORION_SCHEDULER_LOOPS=expiry for an instance without SSH access)");
    }
  }

  public static SchedulerConfig from(Env env) {
    return new SchedulerConfig(
        env.optional("ORION_SCHEDULER_ID").orElseGet(SchedulerConfig::generatedId),
        DbConfig.from(env, 8),
        loops(env.string("ORION_SCHEDULER_LOOPS", "health,migration,expiry,scrub,rescue,pool,cron,jobs")),
        claimTimeout(env),
        env.duration("ORION_CLAIM_RENEW_INTERVAL", claimTimeout(env).dividedBy(3)),
        env.duration("ORION_SCHEDULER_SCHEMA_WAIT", Duration.ofSeconds(120)),
        env.duration("ORION_EXPIRY_INTERVAL", Duration.ofMillis(250)),
        env.integer("ORION_EXPIRY_BATCH", 100, 1, 1000),
        env.duration("ORION_MIGRATION_INTERVAL", Duration.ofMillis(250)),
        env.integer("ORION_MIGRATION_BATCH", 20, 1, 500),
        env.duration("ORION_SCRUB_INTERVAL", Duration.ofSeconds(1)),
        env.integer("ORION_SCRUB_BATCH", 20, 1, 500),
        env.duration(RescueBound.NAME, RescueBound.DEFAULT),
        env.duration("ORION_RESCUE_INTERVAL", Duration.ofSeconds(1)),
        env.integer("ORION_RESCUE_BATCH", 50, 1, 500),
        env.duration("ORION_HEALTH_INTERVAL", Duration.ofSeconds(1)),
        env.integer("ORION_HEALTH_BATCH", 200, 1, 2000),
        env.integer("ORION_HEALTH_FAILURES", 3, 1, 100),
        env.duration("ORION_HEALTH_PROBE_TIMEOUT", Duration.ofSeconds(2)),
        env.duration("ORION_HEARTBEAT_TIMEOUT", Duration.ofSeconds(30)),
        env.integer("ORION_HEALTH_MASS_FAILURE_PERCENT", 50, 1, 100),
        env.integer("ORION_HEALTH_GUARD_MIN_NODES", 3, 1, 100_000),
        env.duration("ORION_HEALTH_DB_STALL", Duration.ofSeconds(10)),
        env.integer("ORION_SCHEDULER_SSH_THREADS", 32, 1, 512),
        env.optional("ORION_SSH_KEY").map(k -> SshConfig.from(env)),
        MetricsConfig.from(env, DEFAULT_METRICS_PORT),
        PoolConfig.from(env),
        CronConfig.from(env),
        JobConfig.from(env));
  }

  private static Duration claimTimeout(Env env) {
    return env.duration("ORION_CLAIM_TIMEOUT", Duration.ofSeconds(30));
  }

  public String actor() {
    return "scheduler:" + id;
  }

  public boolean runs(LoopName loop) {
    return loops.contains(loop);
  }

  private static Set<LoopName> loops(String raw) {
    EnumSet<LoopName> set = EnumSet.noneOf(LoopName.class);
    for (String part : raw.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      try {
        set.add(LoopName.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ORION_SCHEDULER_LOOPS",
            "must list health, migration, expiry, scrub, rescue, pool, cron or jobs, got '" + part.trim() + "'");
      }
    }
    if (set.isEmpty()) {
      throw new ConfigException("ORION_SCHEDULER_LOOPS", "must name at least one loop");
    }
    return set;
  }

  private static String generatedId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "");
    } catch (java.net.UnknownHostException e) {
      host = "scheduler";
    }
    if (host.length() > 30) {
      host = host.substring(0, 30);
    }
    // A random suffix, not the PID: two containers may both be PID 1.
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** One line for the start-up log; the database password is redacted by {@link DbConfig}. */
  @Override
  public String toString() {
    return "SchedulerConfig[id=" + id + ", db=" + db + ", loops=" + loops
        + ", claimTimeout=" + claimTimeout + " renewEvery=" + claimRenewInterval
        + ", rescue after " + rescueAfter + " every " + rescueInterval + "/" + rescueBatch + ", expiry=" + expiryInterval + "/" + expiryBatch
        + ", migration=" + migrationInterval + "/" + migrationBatch
        + ", scrub=" + scrubInterval + "/" + scrubBatch
        + ", health=" + healthInterval + "/" + healthBatch + " deadAfter=" + deadAfterFailures
        + " probeTimeout=" + probeTimeout + " heartbeatTimeout=" + heartbeatTimeout
        + " massFailure>" + massFailurePercent + "% of >=" + guardMinNodes + " nodes"
        + " dbStall=" + dbStallThreshold + ", sshThreads=" + sshThreads
        + ", ssh=" + ssh.map(s -> s.adminUser() + " key " + s.adminKey() + " connect " + s.connectTimeout()
            + " command " + s.commandTimeout()).orElse("none") + ", metrics=" + metrics + ", pools=" + pools + ", cron=" + cron + ", jobs=" + jobs + "]";
  }
}
