package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orion.common.db.Database;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The hooks around a pool's sleep, called by the reconciler: the signed webhook arrives before any
 * worker is suspended and after every worker is back; ArgoCD's automated sync is removed before
 * the sleep and exactly what was there is put back after the wake. Both against local servers
 * speaking the receivers' protocols.
 */
class PoolHooksTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "hook-secret-1";
  static final String AUTOMATED = "{\"prune\":true,\"selfHeal\":false}";

  @Test
  void webhooksBracketTheSleepAndArgoCdGetsBackExactlyItsAutomatedSync() throws Exception {
    Instant t0 = Instant.parse("2027-03-10T12:00:00Z");
    SettableClock clock = new SettableClock(t0);
    AtomicReference<String> application = new AtomicReference<>(
        "{\"metadata\":{\"name\":\"app1\"},\"spec\":{\"syncPolicy\":{\"automated\":" + AUTOMATED
            + ",\"syncOptions\":[\"CreateNamespace=true\"]}}}");
    List<String> deliveries = new CopyOnWriteArrayList<>();
    ExecutorService steps = Executors.newFixedThreadPool(2);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try (Database db = TestDb.fresh()) {
      server.createContext("/hook", ex -> {
        byte[] body = ex.getRequestBody().readAllBytes();
        boolean signed = Webhook.verify(SECRET.getBytes(StandardCharsets.UTF_8), body,
            ex.getRequestHeaders().getFirst(Webhook.SIGNATURE_HEADER));
        JsonNode json = JSON.readTree(body);
        int suspended = db.jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM nodes WHERE pool = 'batch' AND status = 'suspended'").mapTo(Integer.class).one());
        deliveries.add(json.get("event").asText() + " signed=" + signed + " suspended=" + suspended);
        reply(ex, 204, "");
      });
      server.createContext("/api/v1/session", ex -> reply(ex, 200, "{\"token\":\"t1\"}"));
      server.createContext("/api/v1/applications/app1", ex -> {
        if (!"Bearer t1".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          reply(ex, 401, "{}");
        } else if (ex.getRequestMethod().equals("PUT")) {
          application.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          reply(ex, 200, application.get());
        } else {
          reply(ex, 200, application.get());
        }
      });
      server.start();
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      db.jdbi().useHandle(h -> {
        for (int i = 0; i < 2; i++) {
          h.execute("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, status,"
              + " allocated, clean, registered_at, last_seen_at) VALUES (?, '10.9.0.2', 22, 'ssh-ed25519 AAAA',"
              + " 'SHA256:x', 'batch', 'alive', 0, 1, ?, ?)", "hooked-" + i, t0.minusSeconds(86400), t0);
        }
        h.execute("INSERT INTO pools (name, driver, grace_minutes, user_wake_minutes, argocd_apps, updated_at)"
            + " VALUES ('batch', 'none', 0, 0, 'app1', ?)", t0);
        h.execute("INSERT INTO pool_webhooks (pool, url, secret) VALUES ('batch', ?, ?)", base + "/hook", SECRET);
        h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
            + " VALUES ('batch', 'sleep', ?, ?, 'user:admin')", t0, t0.plus(Duration.ofHours(1)));
      });
      HttpClient http = HttpClient.newHttpClient();
      PoolConfig config = new PoolConfig(Duration.ofSeconds(5), 100, Set.of(), "none", Optional.empty(),
          Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(1), 1,
          Optional.of(new PoolConfig.ArgoCdAccount(URI.create(base), "admin", "pw")), Optional.empty(), Optional.empty());
      Claimant claimant = new Claimant("hooks", Duration.ofSeconds(30), clock);
      PoolReconciler r = new PoolReconciler(db.jdbi(), claimant, new ClaimRenewer(db.jdbi(), claimant), config,
          new Drivers(n -> PoolDriver.NONE), new RecordingWorkerOps(),
          new PoolHooks(new Webhook(http), Optional.of(new ArgoCd(http, URI.create(base), "admin", "pw")), 1),
          new PoolMetrics(), steps);

      clock.advance(Duration.ofSeconds(1));
      r.tick();
      assertEquals(List.of("pool.sleep signed=true suspended=0"), deliveries, "before any worker sleeps");
      assertFalse(JSON.readTree(application.get()).path("spec").path("syncPolicy").has("automated"),
          "GitOps cannot undo the sleep: " + application.get());
      String saved = db.jdbi().withHandle(h ->
          h.createQuery("SELECT argocd_saved FROM pool_states WHERE pool = 'batch'").mapTo(String.class).one());
      assertEquals(JSON.readTree("{\"app1\":" + AUTOMATED + "}"), JSON.readTree(saved));
      clock.advance(Duration.ofSeconds(6));
      r.tick();
      assertEquals(1, deliveries.size(), "a sleeping pool is not announced again");

      clock.set(t0.plus(Duration.ofHours(1)).plusSeconds(1));
      r.tick();
      assertEquals(List.of("pool.sleep signed=true suspended=0", "pool.wake signed=true suspended=0"), deliveries,
          "after every worker is back");
      JsonNode policy = JSON.readTree(application.get()).path("spec").path("syncPolicy");
      assertEquals(JSON.readTree(AUTOMATED), policy.get("automated"), "exactly what was there");
      assertEquals("[\"CreateNamespace=true\"]", policy.get("syncOptions").toString(), "the rest untouched");
      boolean cleared = db.jdbi().withHandle(h -> h.createQuery("SELECT argocd_saved IS NULL FROM pool_states"
          + " WHERE pool = 'batch'").mapTo(Boolean.class).one());
      assertTrue(cleared, "nothing left to put back");
      List<String> events = db.jdbi().withHandle(h -> h.createQuery("SELECT reason FROM events WHERE kind = 'pool'"
          + " ORDER BY seq").mapTo(String.class).list());
      assertTrue(events.stream().anyMatch(e -> e.matches("webhook \\d+ pool.sleep delivered \\(204\\)")), events.toString());
      assertTrue(events.stream().anyMatch(e -> e.matches("webhook \\d+ pool.wake delivered \\(204\\)")), events.toString());
    } finally {
      server.stop(0);
      steps.shutdownNow();
    }
  }


  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (b.length == 0) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
    }
    ex.close();
  }
}
