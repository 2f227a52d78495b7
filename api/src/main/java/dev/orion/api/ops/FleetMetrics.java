package dev.orion.api.ops;

import dev.orion.common.load.LoadClass;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the fleet's state, read from the database when Prometheus scrapes, so every replica
 * exports the same values whichever one received a node's heartbeat (rules aggregate with
 * {@code max by (...)}). Labels name nodes and pools only, never users or leases.
 *
 * <ul>
 *   <li>{@code orion_node_cpu_ratio{node,pool}}: the CPU use the node's agent last reported, 0-1
 *   <li>{@code orion_node_load_class{node,class}}: 1 for the node's current load class, 0 for the
 *       other two (a firing alert's class wins, as in the node list and placement)
 *   <li>{@code orion_leases{status}}: live leases by status (every status present, 0 included)
 *   <li>{@code orion_nodes{status}}: registered nodes by status
 *   <li>{@code orion_jobs_queued{pool}}: pending jobs by the pool they wait for (every pool with a
 *       node, 0 included)
 * </ul>
 */
public final class FleetMetrics implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(FleetMetrics.class);
  /** A node silent for longer drops out of orion_node_cpu_ratio rather than showing old load. */
  static final Duration HEARTBEAT_FRESHNESS = Duration.ofMinutes(2);
  static final List<String> LIVE_LEASE_STATUSES = List.of("provisioning", "active", "migrating");
  static final List<String> NODE_STATUSES = List.of("alive", "suspect", "dead", "suspended");

  private final Jdbi jdbi;
  private final Clock clock;

  private FleetMetrics(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  public static void register(PrometheusMeterRegistry registry, Jdbi jdbi, Clock clock) {
    registry.getPrometheusRegistry().register(new FleetMetrics(jdbi, clock));
  }

  @Override
  public MetricSnapshots collect() {
    try {
      return jdbi.withExtension(FleetMetricsDao.class, dao -> MetricSnapshots.of(
          cpu(dao.nodeCpu(clock.instant().minus(HEARTBEAT_FRESHNESS))),
          classes(dao.nodeClasses(clock.instant().minus(HEARTBEAT_FRESHNESS))),
          counts("orion_leases", "Live leases by status", LIVE_LEASE_STATUSES, dao.liveLeases()),
          counts("orion_nodes", "Registered nodes by status", NODE_STATUSES, dao.nodes()),
          queued(dao.queuedJobs())));
    } catch (RuntimeException e) {
      // A scrape must still deliver the process's own metrics while the database is away.
      log.warn("fleet metrics unavailable: {}", e.toString());
      return MetricSnapshots.of();
    }
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of("orion_node_cpu_ratio", "orion_node_load_class", "orion_leases", "orion_nodes", "orion_jobs_queued");
  }

  private static GaugeSnapshot cpu(List<FleetMetricsDao.NodeCpu> nodes) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("orion_node_cpu_ratio")
        .help("CPU use of a node as its agent last reported it (0-1 of what the node may use)");
    for (FleetMetricsDao.NodeCpu n : nodes) {
      b.dataPoint(GaugeDataPointSnapshot.builder()
          .labels(Labels.of("node", n.hostname(), "pool", n.pool()))
          .value(Math.max(0, n.cpuPercent()) / 100.0)
          .build());
    }
    return b.build();
  }

  private static GaugeSnapshot classes(List<FleetMetricsDao.NodeClass> nodes) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("orion_node_load_class")
        .help("Load class of a node (low < 33 % <= moderate < 66 % <= high): 1 for its class, 0 for the others");
    for (FleetMetricsDao.NodeClass n : nodes) {
      for (LoadClass c : LoadClass.values()) {
        b.dataPoint(GaugeDataPointSnapshot.builder()
            .labels(Labels.of("node", n.hostname(), "class", c.wire()))
            .value(c.wire().equals(n.loadClass()) ? 1 : 0)
            .build());
      }
    }
    return b.build();
  }

  private static GaugeSnapshot queued(List<FleetMetricsDao.PoolCount> pools) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("orion_jobs_queued")
        .help("Pending jobs (waiting to start, for a retry or for their pool to wake) by pool");
    for (FleetMetricsDao.PoolCount p : pools) {
      b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("pool", p.pool())).value(p.n()).build());
    }
    return b.build();
  }

  private static GaugeSnapshot counts(String name, String help, List<String> known,
      List<FleetMetricsDao.Count> rows) {
    Map<String, Long> byStatus = new TreeMap<>();
    known.forEach(s -> byStatus.put(s, 0L));
    rows.forEach(r -> byStatus.put(r.status(), r.n()));
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    byStatus.forEach((status, n) -> b.dataPoint(GaugeDataPointSnapshot.builder()
        .labels(Labels.of("status", status)).value(n).build()));
    return b.build();
  }
}
