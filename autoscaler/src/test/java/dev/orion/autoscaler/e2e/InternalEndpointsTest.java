package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.autoscaler.ScrapeTargets;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.metrics.MetricsServer;
import dev.orion.testkit.Promtool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Metrics are internal: the real API behind the real edge and pool answers {@code /metrics} on
 * no port a client or agent can reach, only on each process's own metrics listener.
 */
class InternalEndpointsTest {
  private static EdgeStack stack;
  private static MetricsServer autoscalerMetrics;
  private static HttpClient trusting;
  private static final HttpClient PLAIN = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.api("internal", new ScalingPolicy(1000, 0.1, 1, 1, Duration.ofSeconds(3), 1, 1))
        .startServing(1);
    autoscalerMetrics = ScrapeTargets.serve(MetricsConfig.ephemeral(), stack.autoscaler, stack.driver);
    trusting = HttpClient.newBuilder().sslContext(stack.caddy.trust()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (autoscalerMetrics != null) {
      autoscalerMetrics.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertNoMetrics(HttpResponse<String> r) {
    assertEquals(404, r.statusCode(), r.uri() + " answered " + r.body());
    assertFalse(r.body().contains("jvm_"), r.body());
  }

  @Test
  void noEdgePortServesMetrics() throws Exception {
    assertEquals(200, get(trusting, stack.caddy.https("/api/ready")).statusCode(), "the edge works");
    for (String path : new String[] {"/metrics", "/metrics/", "/api/../metrics", "/METRICS"}) {
      assertNoMetrics(get(trusting, stack.caddy.https(path)));
      assertNoMetrics(get(PLAIN, stack.caddy.agentHttp(path)));
    }
    for (String path : new String[] {"/api/alerts/alertmanager", "/API/alerts/alertmanager", "/api/alerts/../alerts/x"}) {
      HttpResponse<String> r = get(trusting, stack.caddy.https(path));
      assertEquals(404, r.statusCode(), path + " through the edge answered " + r.body());
    }
    // The pool is internal too, but it forwards to the replicas' public port, which has none.
    assertNoMetrics(get(PLAIN, URI.create("http://127.0.0.1:" + stack.caddy.poolPort + "/metrics")));
  }

  @Test
  void eachReplicaServesItsMetricsOnItsOwnInternalListener() throws Exception {
    Replica replica = stack.autoscaler.serving().get(0);
    String address = stack.driver.metricsAddress(replica).orElseThrow();
    assertFalse(address.equals(replica.dial()), "a port apart from the one the pool forwards to");
    get(trusting, stack.caddy.https("/api/health"));
    HttpResponse<String> r = get(PLAIN, URI.create("http://" + address + "/metrics"));
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("orion_http_requests_seconds_count{"), r.body());
    assertTrue(r.body().contains("orion_leases{status=\"active\"}"), r.body());
    Promtool.checkMetrics(r.body());
  }

  @Test
  void theAutoscalerListsTheReplicasForPrometheusAndServesItsOwnMetrics() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + autoscalerMetrics.port());
    Replica replica = stack.autoscaler.serving().get(0);
    HttpResponse<String> targets = get(PLAIN, base.resolve(ScrapeTargets.PATH));
    assertEquals(200, targets.statusCode());
    JsonNode groups = new ObjectMapper().readTree(targets.body());
    assertEquals(1, groups.size(), targets.body());
    assertEquals(stack.driver.metricsAddress(replica).orElseThrow(),
        groups.get(0).at("/targets/0").asText(), targets.body());
    assertEquals(replica.id(), groups.get(0).at("/labels/replica").asText(), targets.body());
    HttpResponse<String> metrics = get(PLAIN, base.resolve("/metrics"));
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("orion_api_replicas 1"), metrics.body());
    Promtool.checkMetrics(metrics.body());
  }
}
