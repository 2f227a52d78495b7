package dev.orion.scheduler.job;

import dev.orion.scheduler.job.CronJobPlan.Result;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@code orion_cron_fires_total{result}}: the fire times this scheduler dealt with, by what became
 * of them ({@link Result}: created, skipped_forbid, missed_deadline, suspended). No cron job ids or
 * names as labels: their number is the users', the label values stay these four.
 */
public final class CronMetrics {
  private volatile MeterRegistry registry = new SimpleMeterRegistry();

  /** Counts into {@code registry} from now on (the process's, once it starts). */
  public void bind(MeterRegistry registry) {
    this.registry = registry;
    for (Result r : Result.values()) {
      counter(r); // every value present from the start, so rate() sees the first fire
    }
  }

  void fired(Result result) {
    counter(result).increment();
  }

  private Counter counter(Result result) {
    return Counter.builder("orion_cron_fires")
        .description("Cron job fire times dealt with, by result (a job created, or why not)")
        .tag("result", result.label())
        .register(registry);
  }
}
