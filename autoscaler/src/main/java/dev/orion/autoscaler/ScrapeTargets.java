package dev.orion.autoscaler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.autoscaler.replica.ReplicaDriver;
import dev.orion.common.metrics.Metrics;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.metrics.MetricsServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API replicas' metrics listeners in Prometheus's HTTP service discovery format
 * ({@code http_sd_configs}). Replicas come and go with scaling; the autoscaler is the one process
 * that knows them, so Prometheus asks it instead of a fixed list. The autoscaler's internal
 * listener serves them next to its own metrics.
 */
public final class ScrapeTargets {
  public static final String PATH = "/targets/api";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScrapeTargets() {}

  /** Starts the autoscaler's internal listener: /metrics, /health and {@link #PATH}. */
  public static MetricsServer serve(MetricsConfig config, Autoscaler autoscaler,
      ReplicaDriver driver) {
    PrometheusMeterRegistry metrics = Metrics.registry();
    Gauge.builder("orion_api_replicas", autoscaler, a -> a.serving().size())
        .description("API replicas in the pool's rotation (ready and not draining)")
        .register(metrics);
    return MetricsServer.start(config, metrics, Map.of(PATH, () -> json(driver)));
  }

  /** One target group: every running replica's metrics address, labelled with its replica id. */
  public static String json(ReplicaDriver driver) {
    List<Map<String, Object>> groups = driver.list().stream()
        .flatMap(r -> group(driver, r).stream())
        .toList();
    try {
      return JSON.writeValueAsString(groups);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Map<String, Object>> group(ReplicaDriver driver, Replica r) {
    return driver.metricsAddress(r).map(address -> Map.of(
        "targets", List.of(address), "labels", Map.of("replica", r.id())));
  }
}
