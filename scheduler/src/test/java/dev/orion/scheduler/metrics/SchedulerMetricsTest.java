package dev.orion.scheduler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.metrics.Metrics;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.metrics.MetricsServer;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.Promtool;
import dev.orion.testkit.TestDb;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A scheduler's metrics listener: loop ticks, claim queue depths, JVM; promtool accepts it. */
class SchedulerMetricsTest {
  private static final Pattern EXPIRY_TICKS =
      Pattern.compile("orion_loop_tick_seconds_count\\{loop=\"expiry\"\\} (\\d+)");

  private static String scrape(MetricsServer server) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private static void insertNode(Database db, String hostname, boolean clean) {
    Instant now = Instant.now();
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
            + " host_key_fingerprint, status, allocated, clean, registered_at, last_seen_at)"
            + " VALUES (:h, '127.0.0.1', 22, 'ssh-ed25519 AAAA', 'SHA256:x', 'alive', 0, :clean, :now, :now)")
        .bind("h", hostname).bind("clean", clean).bind("now", now).execute());
  }

  @Test
  void loopTicksAndQueueDepthsAreExported() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    try (Database db = Database.connect(cfg)) {
      db.migrate();
      // Two nodes due for a health check, one of them also waiting to be scrubbed. The instance
      // runs only the expiry loop, so nothing claims them and the depths stay put.
      insertNode(db, "depth-a", true);
      insertNode(db, "depth-b", false);
      PrometheusMeterRegistry metrics = Metrics.registry();
      QueueDepths.register(metrics, db.jdbi(), Clock.systemUTC(), Duration.ofMinutes(2));
      dev.orion.scheduler.pool.PoolMetrics.registerNodeCounts(metrics, db.jdbi());
      try (MetricsServer server = MetricsServer.start(MetricsConfig.ephemeral(), metrics);
          Scheduler s = new Scheduler(Instances.config("metrics", cfg,
              Map.of("ORION_SCHEDULER_LOOPS", "expiry")), db, Clock.systemUTC()).start(metrics)) {
        String text = scrape(server);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!ticked(text) && System.nanoTime() < deadline) {
          Thread.sleep(100);
          text = scrape(server);
        }
        assertTrue(ticked(text), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"health\"} 2"), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"scrub\"} 1"), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"expiry\"} 0"), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"migration\"} 0"), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"rescue\"} 0"), text);
        assertTrue(text.contains("orion_claim_queue_depth{queue=\"pool\"} 0"), text);
        assertTrue(text.contains("orion_pool_nodes{pool=\"default\",state=\"alive\"} 2"), text);
        assertTrue(text.contains("jvm_threads_live_threads"), text);
        Promtool.checkMetrics(text);
      }
    }
  }

  private static boolean ticked(String text) {
    Matcher m = EXPIRY_TICKS.matcher(text);
    return m.find() && Long.parseLong(m.group(1)) > 0;
  }
}
