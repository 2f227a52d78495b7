package dev.orion.scheduler.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs' metrics, counted by the scheduler that did the step: {@code orion_jobs_total{pool,result}}
 * (succeeded, failed, cancelled), {@code orion_job_attempts_total{pool,reason}} (Completed, Error,
 * WorkerLost, DeadlineExceeded, Cancelled, LeaseEnded) and {@code orion_job_dispatch_seconds} (due
 * → process started, first starts only); {@code orion_jobs_queued{pool}} read from the database
 * at scrape time.
 */
public final class JobMetrics {
  private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);
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

  /** Registers {@code orion_jobs_queued{pool}}: pending jobs per pool, read when scraped. */
  public static void registerQueued(PrometheusMeterRegistry registry, Jdbi jdbi) {
    registry.getPrometheusRegistry().register(new MultiCollector() {
      @Override
      public MetricSnapshots collect() {
        List<JobDao.Queued> rows;
        try {
          rows = jdbi.withExtension(JobDao.class, JobDao::queued);
        } catch (RuntimeException e) {
          log.warn("queued jobs unavailable: {}", e.toString());
          return MetricSnapshots.of();
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("orion_jobs_queued")
            .help("Pending jobs (due, backing off or waiting for a worker), per pool");
        rows.forEach(r -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("pool", r.pool()))
            .value(r.queued()).build()));
        return MetricSnapshots.of(b.build());
      }

      @Override
      public List<String> getPrometheusNames() {
        return List.of("orion_jobs_queued");
      }
    });
  }
}
