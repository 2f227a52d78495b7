package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.orion.testkit.Ports;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebhookTest {
  static final byte[] SECRET = "pool-secret".getBytes(StandardCharsets.UTF_8);
  final Webhook webhook = new Webhook(HttpClient.newHttpClient());

  @Test
  void theReceiverCanVerifyTheSignatureAndSeesTheEvent() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    AtomicInteger status = new AtomicInteger(204);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      seen.put("valid", Boolean.toString(Webhook.verify(SECRET, body,
          ex.getRequestHeaders().getFirst(Webhook.SIGNATURE_HEADER))));
      seen.put("event", ex.getRequestHeaders().getFirst(Webhook.EVENT_HEADER));
      seen.put("delivery", ex.getRequestHeaders().getFirst(Webhook.DELIVERY_HEADER));
      seen.put("type", ex.getRequestHeaders().getFirst("Content-Type"));
      ex.sendResponseHeaders(status.get(), -1);
      ex.close();
    });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
      byte[] body = "{\"pool\":\"batch\",\"action\":\"sleep\"}".getBytes(StandardCharsets.UTF_8);
      Webhook.Outcome ok = webhook.deliver(url, SECRET, "pool.sleep", "d-1", body);
      assertTrue(ok.delivered(), ok.toString());
      assertEquals(Map.of("valid", "true", "event", "pool.sleep", "delivery", "d-1", "type", "application/json"), seen);

      status.set(503);
      Webhook.Outcome busy = webhook.deliver(url, SECRET, "pool.sleep", "d-2", body);
      assertFalse(busy.delivered());
      assertTrue(busy.retryable());
      status.set(400);
      assertFalse(webhook.deliver(url, SECRET, "pool.sleep", "d-3", body).retryable(), "a 400 will not fix itself");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void noAnswerIsRetryable() throws Exception {
    int closed = Ports.free(); // nothing listens there: connections are refused
    Webhook.Outcome o = webhook.deliver(URI.create("http://127.0.0.1:" + closed + "/"), SECRET, "pool.wake", "d",
        "{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(0, o.status());
    assertTrue(o.retryable());
    assertTrue(o.error().contains("ConnectException"), o.error());
  }

  @Test
  void signaturesDependOnSecretAndBody() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String sig = Webhook.sign(SECRET, body);
    assertTrue(sig.matches("sha256=[0-9a-f]{64}"), sig);
    assertFalse(Webhook.verify("other".getBytes(StandardCharsets.UTF_8), body, sig));
    assertFalse(Webhook.verify(SECRET, "{ }".getBytes(StandardCharsets.UTF_8), sig));
    assertFalse(Webhook.verify(SECRET, body, null));
  }

  @Test
  void retriesBackOffExponentiallyUpToACap() {
    Duration base = Duration.ofSeconds(5);
    Duration max = Duration.ofMinutes(5);
    assertEquals(Duration.ofSeconds(5), Webhook.retryDelay(2, base, max));
    assertEquals(Duration.ofSeconds(10), Webhook.retryDelay(3, base, max));
    assertEquals(Duration.ofSeconds(160), Webhook.retryDelay(7, base, max));
    assertEquals(max, Webhook.retryDelay(8, base, max));
    assertEquals(max, Webhook.retryDelay(500, base, max));
  }
}
