package dev.orion.scheduler.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools' metrics: {@code orion_pool_transitions_total{pool,action,result}} (action: sleep and
 * wake of a pool, suspend and resume of one of its workers; result: ok, failed, untrusted) and
 * {@code orion_pool_restore_failures_total{pool}} counted by the scheduler that did the step;
 * {@code orion_pool_nodes{pool,state}} read from the database at scrape time, the same whichever
 * scheduler is asked.
 */
public final class PoolMetrics {
  private static final Logger log = LoggerFactory.getLogger(PoolMetrics.class);
  private volatile MeterRegistry registry = new SimpleMeterRegistry();

  /** Counts into {@code registry} from now on (the process's, once it starts). */
  public void bind(MeterRegistry registry) {
    this.registry = registry;
  }

  void transition(String pool, String action, String result) {
    Counter.builder("orion_pool_transitions")
        .description("Pool sleeps and wakes, and their workers' suspends and resumes, by result")
        .tags("pool", pool, "action", action, "result", result)
        .register(registry).increment();
  }

  void restoreFailure(String pool) {
    Counter.builder("orion_pool_restore_failures")
        .description("Restores of a suspended worker that failed (each is retried)")
        .tag("pool", pool)
        .register(registry).increment();
  }

  /** Registers {@code orion_pool_nodes} on {@code registry}, read from the database when scraped. */
  public static void registerNodeCounts(PrometheusMeterRegistry registry, Jdbi jdbi) {
    registry.getPrometheusRegistry().register(new MultiCollector() {
      @Override
      public MetricSnapshots collect() {
        List<ReconcileDao.PoolCount> counts;
        try {
          counts = jdbi.withExtension(ReconcileDao.class, ReconcileDao::counts);
        } catch (RuntimeException e) {
          log.warn("pool node counts unavailable: {}", e.toString());
          return MetricSnapshots.of();
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("orion_pool_nodes")
            .help("Nodes per pool and state (alive, suspect, dead, suspended)");
        for (ReconcileDao.PoolCount c : counts) {
          b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("pool", c.pool(), "state", c.status()))
              .value(c.nodes()).build());
        }
        return MetricSnapshots.of(b.build());
      }

      @Override
      public List<String> getPrometheusNames() {
        return List.of("orion_pool_nodes");
      }
    });
  }
}
