package dev.orion.scheduler.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * Jobs' metrics, counted by the scheduler that did the step: {@code orion_jobs_total{pool,result}}
 * (succeeded, failed, cancelled), {@code orion_job_attempts_total{pool,reason}} (Completed, Error,
 * WorkerLost, DeadlineExceeded, Cancelled, LeaseEnded) and {@code orion_job_dispatch_seconds} (due
 * → process started, first starts only). Pending jobs per pool ({@code orion_jobs_queued}) are
 * the API's fleet gauges, read from the database at scrape time.
 */
public final class JobMetrics {
  private volatile MeterRegistry registry = new SimpleMeterRegistry();

  public void bind(MeterRegistry registry) {
    this.registry = registry;
  }

  void finished(String pool, String result) {
    Counter.builder("orion_jobs").description("Jobs that finished, by result")
        .tags("pool", pool, "result", result).register(registry).increment();
  }

  void attempt(String pool, String reason) {
    Counter.builder("orion_job_attempts").description("Job attempts that ended, by reason")
        .tags("pool", pool, "reason", reason).register(registry).increment();
  }

  void dispatched(Duration dueToStarted) {
    Timer.builder("orion_job_dispatch")
        .description("From a job attempt being due to its process started on the worker")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry).record(dueToStarted.isNegative() ? Duration.ZERO : dueToStarted);
  }
}
