package dev.orion.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.testkit.Promtool;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API's metrics: on the internal listener only, named the Prometheus way, fleet included. */
class MetricsTest {
  static ApiHarness api;
  static Http metrics;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    metrics = new Http(api.metricsUrl());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void reportCpu(String hostname, double percent, Instant at) {
    api.db.jdbi().useHandle(h -> h.createUpdate(
            "UPDATE nodes SET cpu_percent = :cpu, last_heartbeat_at = :at WHERE hostname = :h")
        .bind("cpu", percent).bind("at", at).bind("h", hostname).execute());
  }

  @Test
  void theInternalListenerServesFleetAndProcessMetricsThatPromtoolAccepts() {
    api.register("w-metrics-busy", 2301, TestKeys.ed25519());
    api.register("w-metrics-silent", 2302, TestKeys.ed25519());
    reportCpu("w-metrics-busy", 75.0, Instant.now());
    long busy = api.db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM nodes WHERE hostname = 'w-metrics-busy'")
        .mapTo(Long.class).one());
    new dev.orion.api.load.LoadService(api.db.jdbi(), dev.orion.api.load.LoadConfig.defaults())
        .record(busy, 75.0, 10.0, "cgroup-v2", Instant.now());
    // A node that stopped heartbeating long ago shows no load rather than its last one.
    reportCpu("w-metrics-silent", 90.0, Instant.now().minus(FleetMetrics.HEARTBEAT_FRESHNESS).minusSeconds(60));
    // One refused rent (nothing free) so the rent histogram has a series.
    String token = api.newUser("metrics");
    assertEquals(409, api.http.post("/api/rent", token,
        Http.json(Map.of("duration_hours", 1, "count", 50))).status());

    Http.Response r = metrics.get("/metrics", null);
    assertEquals(200, r.status());
    assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
    String text = r.body();
    assertTrue(text.contains("orion_node_cpu_ratio{node=\"w-metrics-busy\",pool=\"default\"} 0.75"), text);
    assertFalse(text.contains("w-metrics-silent"), text);
    assertTrue(text.contains("orion_node_load_class{class=\"high\",node=\"w-metrics-busy\"} 1"), text);
    assertTrue(text.contains("orion_node_load_class{class=\"low\",node=\"w-metrics-busy\"} 0"), text);
    assertTrue(text.contains("orion_leases{status=\"active\"} 0"), text);
    assertTrue(text.contains("orion_nodes{status=\"alive\"}"), text);
    assertTrue(text.contains("orion_rent_duration_seconds_bucket{outcome=\"refused\",le=\"0.1\"}"), text);
    assertTrue(text.contains("orion_http_requests_seconds_count{"), text);
    assertTrue(text.contains("process_cpu_seconds_total"), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), text);
    assertFalse(text.contains("process_cpu_time_ns_total"), text);
    Promtool.checkMetrics(text);
  }

  @Test
  void healthIsServedAndNothingElse() {
    assertEquals(200, metrics.get("/health", null).status());
    assertEquals(404, metrics.get("/api/nodes", null).status());
    assertEquals(405, metrics.post("/metrics", null, "{}").status());
  }

  @Test
  void theApiPortDoesNotServeMetrics() {
    Http.Response r = api.http.get("/metrics", null);
    assertEquals(404, r.status());
    assertTrue(r.isProblem(), r.body());
  }
}
