package dev.orion.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.ApiApp;
import dev.orion.api.ApiConfig;
import dev.orion.api.Limits;
import dev.orion.api.alert.AlertConfig;
import dev.orion.api.load.LoadConfig;
import dev.orion.api.pool.PoolsConfig;
import dev.orion.common.db.DbConfig;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.localdb.LocalDb;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * An API replica started before its database waits for it and becomes ready by itself, in the
 * same process: it used to exit, and the autoscaler restarted replicas again and again.
 */
class DatabaseAtStartTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void aReplicaStartedBeforeItsDatabaseWaitsAndBecomesReady() throws Exception {
    int dbPort = Ports.free(); // nothing listens here yet
    DbConfig dbc = new DbConfig("jdbc:mariadb://127.0.0.1:" + dbPort + "/orion_late", "root", "", 4);
    ApiConfig cfg = new ApiConfig("127.0.0.1", 0, "late-secret-0123456789-0123456789-abcdef", Duration.ofHours(1),
        "agent-token-0123456789", Optional.of("admin"), Optional.of("admin-password-1"), true, 4,
        Duration.ofMillis(500), new PoolsConfig(Set.of("system"), "none"), LoadConfig.defaults(), dbc,
        TestSsh.config(), dev.orion.common.lease.RescueBound.DEFAULT, MetricsConfig.ephemeral(),
        new AlertConfig(Optional.empty(), AlertConfig.classMap(AlertConfig.DEFAULT_CLASS_MAP), 4 * 1024 * 1024),
        Limits.defaults(), dev.orion.api.http.WebConfig.defaults());
    LocalDb db = null;
    try (ApiApp app = ApiApp.open(cfg, Clock.systemUTC())) {
      CompletableFuture<Boolean> started = CompletableFuture.supplyAsync(app::awaitDatabase);
      String base = "http://127.0.0.1:" + app.port();

      await(Duration.ofSeconds(60), "a second attempt to reach the database", () -> app.startupAttempts() >= 2);
      HttpResponse<String> ready = get(base + "/api/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(ready.headers().firstValue("Retry-After").isPresent(), "alive and waiting: " + ready.headers());
      HttpResponse<String> nodes = get(base + "/api/nodes");
      assertEquals(503, nodes.statusCode(), nodes.body());
      assertEquals("application/problem+json", nodes.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      assertEquals(200, get(base + "/api/health").statusCode(), "the process itself is alive");

      db = LocalDb.start(TestDb.dataHome("late-db-" + ProcessHandle.current().pid()), dbPort, TestDb.SERVER_TIME_ZONE);
      db.createDatabase("orion_late");

      assertTrue(started.get(120, TimeUnit.SECONDS), "the same ApiApp finished its start");
      assertEquals(200, get(base + "/api/ready").statusCode());
      HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"admin-password-1\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, login.statusCode(), "migrated and the admin account made: " + login.body());
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what + " not within " + limit);
      }
      Thread.sleep(100);
    }
  }
}
