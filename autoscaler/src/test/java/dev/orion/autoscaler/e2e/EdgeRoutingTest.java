package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.policy.ScalingPolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What the edge lets through on which port, with one replica behind the pool. */
class EdgeRoutingTest {
  private static EdgeStack stack;
  private static HttpClient trusting;

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.standIn("routing",
        new ScalingPolicy(1000, 0.1, 1, 1, Duration.ofSeconds(3), 1, 1));
    stack.autoscaler.start();
    Await.until(Duration.ofSeconds(60), "a serving replica",
        () -> stack.autoscaler.serving().size() == 1, stack::state);
    trusting = HttpClient.newBuilder().sslContext(stack.caddy.trust()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static HttpResponse<String> get(HttpClient client, java.net.URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void clientsReachTheApiOverHttpsSignedByCaddysInternalCa() throws Exception {
    HttpResponse<String> r = get(trusting, stack.caddy.https("/api/ready"));
    assertEquals(200, r.statusCode());
    String port = stack.autoscaler.serving().get(0).dial().split(":")[1];
    assertEquals(port, r.body().strip(), "answered by the replica");
  }

  @Test
  void aClientThatDoesNotTrustTheInternalCaIsRefused() {
    assertThrows(SSLHandshakeException.class,
        () -> get(HttpClient.newHttpClient(), stack.caddy.https("/api/ready")));
  }

  @Test
  void agentsReachOnlyWorkerRoutesOverHttp() throws Exception {
    HttpClient plain = HttpClient.newHttpClient();
    assertEquals(200, get(plain, stack.caddy.agentHttp("/api/workers/heartbeat")).statusCode());
    HttpResponse<String> other = get(plain, stack.caddy.agentHttp("/api/nodes"));
    assertEquals(404, other.statusCode());
    assertEquals("application/problem+json",
        other.headers().firstValue("Content-Type").orElse(""));
    assertTrue(other.body().contains("/api/workers/*"), other.body());
  }

  @Test
  void thePoolHandlerIsAddressableByItsId() {
    assertEquals(List.of("orion_api_0"), stack.admin.apiHandlerIds());
    assertEquals(List.of(stack.autoscaler.serving().get(0).dial()),
        stack.admin.upstreams("orion_api_0"));
  }
}
