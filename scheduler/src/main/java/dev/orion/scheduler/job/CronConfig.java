package dev.orion.scheduler.job;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * How the schedulers fire cron jobs and delete finished jobs.
 *
 * @param interval how often an idle scheduler looks for due cron jobs ({@code ORION_CRON_INTERVAL},
 *     500 ms; at most 2 s): a fire's job is created at most about this long after its time
 * @param batch cron jobs claimed per round ({@code ORION_CRON_BATCH}, 200)
 * @param recheck how soon a cron job with an unfinished job is looked at again, so its history
 *     limits hold within this of the job's end ({@code ORION_CRON_RECHECK}, 30 s)
 * @param ttlInterval how often finished jobs past their {@code ttl_seconds_after_finished} are
 *     looked for ({@code ORION_JOB_TTL_INTERVAL}, 1 s)
 * @param ttlBatch jobs deleted per round ({@code ORION_JOB_TTL_BATCH}, 500)
 */
public record CronConfig(Duration interval, int batch, Duration recheck, Duration ttlInterval, int ttlBatch) {
  public static final Duration MAX_INTERVAL = Duration.ofSeconds(2);

  public CronConfig {
    if (interval.isZero() || interval.isNegative() || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new ConfigException("ORION_CRON_INTERVAL", "must be positive and at most " + MAX_INTERVAL.toSeconds()
          + "s: a fire's job must be created within seconds of its time, got " + interval);
    }
    if (recheck.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException("ORION_CRON_RECHECK", "must be at least 1s, got " + recheck);
    }
    if (ttlInterval.isZero() || ttlInterval.isNegative()) {
      throw new ConfigException("ORION_JOB_TTL_INTERVAL", "must be positive, got " + ttlInterval);
    }
  }

  public static CronConfig from(Env env) {
    return new CronConfig(
        env.duration("ORION_CRON_INTERVAL", Duration.ofMillis(500)),
        env.integer("ORION_CRON_BATCH", 200, 1, 1000),
        env.duration("ORION_CRON_RECHECK", Duration.ofSeconds(30)),
        env.duration("ORION_JOB_TTL_INTERVAL", Duration.ofSeconds(1)),
        env.integer("ORION_JOB_TTL_BATCH", 500, 1, 5000));
  }

  @Override
  public String toString() {
    return "interval=" + interval + "/" + batch + " recheck=" + recheck + " ttl=" + ttlInterval + "/" + ttlBatch;
  }
}
