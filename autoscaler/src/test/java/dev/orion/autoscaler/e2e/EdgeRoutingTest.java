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
  void aBodyOverTheEdgesCapIsA413ProblemOnBothPortsWhateverItsFraming() throws Exception {
    long fiveMb = 5L * 1024 * 1024;
    // HTTP/1.1: over h2 the JDK client surfaces an answer only after it has sent the whole body,
    // and a flow-controlled stream nobody reads never finishes (curl gets the same 413 over h2).
    HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(stack.caddy.trust()).build();
    for (var client : List.of(https, HttpClient.newHttpClient())) {
      java.net.URI uri = client == https ? stack.caddy.https("/api/workers/register")
          : stack.caddy.agentHttp("/api/workers/register");
      HttpRequest chunked = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.InputStream() {
            long left = fiveMb;

            @Override
            public int read() {
              return left-- > 0 ? ' ' : -1;
            }
          })).build();
      HttpResponse<String> r = client.send(chunked, HttpResponse.BodyHandlers.ofString());
      assertEquals(413, r.statusCode(), uri + " " + r.body());
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
      assertTrue(r.body().contains("\"status\":413"), r.body());
      HttpResponse<String> small = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, small.statusCode(), "a small body still passes: " + small.body());
    }
  }

  @Test
  void thePoolHandlerIsAddressableByItsId() {
    assertEquals(List.of("orion_api_0"), stack.admin.apiHandlerIds());
    assertEquals(List.of(stack.autoscaler.serving().get(0).dial()),
        stack.admin.upstreams("orion_api_0"));
  }
}
