package dev.orion.common.metrics;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;

/**
 * Where a process serves {@code /metrics} and {@code /health}: a listener of its own, apart from
 * anything a proxy forwards to, so metrics are reachable only on the process's internal address.
 *
 * @param host {@code ORION_METRICS_HOST}, default 127.0.0.1 (a container sets its own network's
 *     address or 0.0.0.0 on a network that only the monitoring joins)
 * @param port {@code ORION_METRICS_PORT}, a per-service default; 0 takes a free port (tests)
 */
public record MetricsConfig(String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";

  public MetricsConfig {
    if (host == null || host.isBlank()) {
      throw new ConfigException("ORION_METRICS_HOST", "must name an address");
    }
  }

  public static MetricsConfig from(Env env, int defaultPort) {
    return new MetricsConfig(env.string("ORION_METRICS_HOST", DEFAULT_HOST),
        env.integer("ORION_METRICS_PORT", defaultPort, 0, 65535));
  }

  /** A listener on a free loopback port, for tests and benchmarks. */
  public static MetricsConfig ephemeral() {
    return new MetricsConfig(DEFAULT_HOST, 0);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
