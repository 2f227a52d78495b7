package dev.orion.scheduler.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code orion_claim_queue_depth{queue}}, read from the database when Prometheus scrapes. It sits
 * beside the loops rather than inside them: the depth is a property of the shared queue, the same
 * whichever scheduler is asked, and counting it takes no part in claiming.
 */
public final class QueueDepths implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(QueueDepths.class);
  public static final String NAME = "orion_claim_queue_depth";

  private final Jdbi jdbi;
  private final Clock clock;
  private final Duration rescueAfter;

  private QueueDepths(Jdbi jdbi, Clock clock, Duration rescueAfter) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.rescueAfter = rescueAfter;
  }

  /** {@code rescueAfter}: when a provisioning lease becomes the rescue queue's (ORION_RESCUE_AFTER). */
  public static void register(PrometheusMeterRegistry registry, Jdbi jdbi, Clock clock,
      Duration rescueAfter) {
    registry.getPrometheusRegistry().register(new QueueDepths(jdbi, clock, rescueAfter));
  }

  @Override
  public MetricSnapshots collect() {
    List<QueueDepthDao.Depth> depths;
    try {
      Instant now = clock.instant();
      depths = jdbi.withExtension(QueueDepthDao.class, d -> d.depths(now, now.minus(rescueAfter)));
    } catch (RuntimeException e) {
      // The scrape still delivers the loops' own metrics while the database is away.
      log.warn("claim queue depths unavailable: {}", e.toString());
      return MetricSnapshots.of();
    }
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(NAME)
        .help("Due work no scheduler has claimed yet, per claim queue");
    for (QueueDepthDao.Depth d : depths) {
      b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("queue", d.queue()))
          .value(d.depth()).build());
    }
    return MetricSnapshots.of(b.build());
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(NAME);
  }
}
