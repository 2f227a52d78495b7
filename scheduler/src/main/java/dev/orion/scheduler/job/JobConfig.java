package dev.orion.scheduler.job;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * How the schedulers run jobs.
 *
 * @param interval how often an idle instance looks for due jobs ({@code ORION_JOB_INTERVAL}, 50 ms:
 *     a due job waits at most this for a free instance)
 * @param batch jobs claimed per round at most ({@code ORION_JOB_BATCH}, 32)
 * @param concurrency attempts one instance runs and watches at once ({@code ORION_JOB_CONCURRENCY},
 *     64); past it, it claims no more and the others take the rest
 * @param watchInterval how often a running attempt is looked at: exit, output copied into the
 *     database, cancel and deadline ({@code ORION_JOB_WATCH_INTERVAL}, 1 s)
 * @param backoffBase the first retry's back-off, doubling per failure ({@code ORION_JOB_BACKOFF_BASE},
 *     10 s as in Kubernetes)
 * @param backoffCap the longest back-off ({@code ORION_JOB_BACKOFF_CAP}, 10 min)
 * @param workerShare percentage of a pool's alive workers jobs may hold at once, rounded up, at
 *     least one ({@code ORION_JOB_WORKER_SHARE}, 50), so rents always find the rest
 * @param placementRetry when a job that found its pool asleep or its own lease not active is looked
 *     at again ({@code ORION_JOB_PLACEMENT_RETRY}, 2 s)
 * @param unschedulableRetry when a job that found no free worker is looked at again
 *     ({@code ORION_JOB_UNSCHEDULABLE_RETRY}, 30 s): a worker of its pool marked clean wakes the
 *     job that waited longest at once, so this only bounds a wake that never comes (a node back
 *     from {@code suspect}, a new label); polling every waiting job would cost the database more
 *     than the jobs that run
 * @param workerLostAfter how long a running attempt's worker may fail to answer before the attempt
 *     counts as lost with it ({@code ORION_JOB_WORKER_LOST_AFTER}, 30 s; a node the health loop
 *     declares dead loses its attempts at once)
 */
public record JobConfig(Duration interval, int batch, int concurrency, Duration watchInterval, Duration backoffBase,
    Duration backoffCap, int workerShare, Duration placementRetry, Duration unschedulableRetry,
    Duration workerLostAfter) {

  public JobConfig {
    positive("ORION_JOB_INTERVAL", interval);
    positive("ORION_JOB_WATCH_INTERVAL", watchInterval);
    positive("ORION_JOB_BACKOFF_BASE", backoffBase);
    positive("ORION_JOB_PLACEMENT_RETRY", placementRetry);
    positive("ORION_JOB_UNSCHEDULABLE_RETRY", unschedulableRetry);
    positive("ORION_JOB_WORKER_LOST_AFTER", workerLostAfter);
    if (backoffCap.compareTo(backoffBase) < 0) {
      throw new ConfigException("ORION_JOB_BACKOFF_CAP", "must be at least ORION_JOB_BACKOFF_BASE ("
          + backoffBase + "), got " + backoffCap);
    }
  }

  public static JobConfig from(Env env) {
    return new JobConfig(
        env.duration("ORION_JOB_INTERVAL", Duration.ofMillis(50)),
        env.integer("ORION_JOB_BATCH", 32, 1, 1000),
        env.integer("ORION_JOB_CONCURRENCY", 64, 1, 4096),
        env.duration("ORION_JOB_WATCH_INTERVAL", Duration.ofSeconds(1)),
        env.duration("ORION_JOB_BACKOFF_BASE", Duration.ofSeconds(10)),
        env.duration("ORION_JOB_BACKOFF_CAP", Duration.ofMinutes(10)),
        share(env),
        env.duration("ORION_JOB_PLACEMENT_RETRY", Duration.ofSeconds(2)),
        env.duration("ORION_JOB_UNSCHEDULABLE_RETRY", Duration.ofSeconds(30)),
        env.duration("ORION_JOB_WORKER_LOST_AFTER", Duration.ofSeconds(30)));
  }

  /** {@code 50} or {@code 50%}. */
  private static int share(Env env) {
    String raw = env.string("ORION_JOB_WORKER_SHARE", "50").strip();
    String digits = raw.endsWith("%") ? raw.substring(0, raw.length() - 1).strip() : raw;
    try {
      int v = Integer.parseInt(digits);
      if (v >= 1 && v <= 100) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("ORION_JOB_WORKER_SHARE", "must be a percentage from 1 to 100, got '" + raw + "'");
  }

  private static void positive(String name, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(name, "must be positive, got " + d);
    }
  }

  public Retries retries() {
    return new Retries(backoffBase, backoffCap);
  }

  @Override
  public String toString() {
    return "every " + interval + "/" + batch + " x" + concurrency + " watch " + watchInterval + " backoff "
        + backoffBase + ".." + backoffCap + " share " + workerShare + "% placementRetry " + placementRetry
        + " unschedulableRetry " + unschedulableRetry + " lostAfter " + workerLostAfter;
  }
}
