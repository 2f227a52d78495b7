package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.autoscaler.ScrapeTargets;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.metrics.MetricsServer;
import dev.orion.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped monitoring/ configuration run for real: Debian's Prometheus and Alertmanager on free
 * ports, scraping the real API replica (found through the autoscaler's target list) and the
 * autoscaler's own listener. Only the addresses differ from what ./orion up runs.
 */
class MonitoringStackTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EdgeStack stack;
  private static MetricsServer autoscalerMetrics;
  private static final List<Process> processes = new ArrayList<>();
  private static Path home;
  private static int prometheusPort;

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.api("monitoring", new ScalingPolicy(1000, 0.1, 1, 1, Duration.ofSeconds(3), 1, 1))
        .startServing(1);
    autoscalerMetrics = ScrapeTargets.serve(MetricsConfig.ephemeral(), stack.autoscaler, stack.driver);
    Path root = CaddyUnderTest.repoRoot();
    home = root.resolve("autoscaler/target/monitoring-" + ProcessHandle.current().pid());
    Files.createDirectories(home);
    prometheusPort = Ports.free();
    int alertmanagerPort = Ports.free();

    // Alertmanager: the shipped file with its token beside it, delivering to the test's pool.
    Files.writeString(home.resolve("alert_token"), "test-alert-token");
    Files.writeString(home.resolve("alertmanager.yml"),
        Files.readString(root.resolve("monitoring/alertmanager.yml"))
            .replace("127.0.0.1:8090", "127.0.0.1:" + stack.caddy.poolPort));
    start("alertmanager", List.of(binary("prometheus-alertmanager"),
        "--config.file=" + home.resolve("alertmanager.yml"), "--storage.path=" + home.resolve("am-data"),
        "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address="));

    // Prometheus: the shipped file with test addresses and a 1 s scrape interval.
    Files.writeString(home.resolve("prometheus.yml"),
        Files.readString(root.resolve("monitoring/prometheus.yml"))
            .replace("127.0.0.1:9490", "127.0.0.1:" + autoscalerMetrics.port())
            .replace("127.0.0.1:19093", "127.0.0.1:" + alertmanagerPort)
            .replace("127.0.0.1:19090", "127.0.0.1:" + prometheusPort)
            .replace("scrape_interval: 15s", "scrape_interval: 1s")
            .replace("evaluation_interval: 15s", "evaluation_interval: 1s")
            .replace("refresh_interval: 10s", "refresh_interval: 1s")
            .replace("  - rules.yml", "  - " + root.resolve("monitoring/rules.yml")));
    start("prometheus", List.of(binary("prometheus"),
        "--config.file=" + home.resolve("prometheus.yml"), "--storage.tsdb.path=" + home.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + prometheusPort));
    // Prometheus answers its API with 503 until its storage is open; every query below is direct.
    Await.until(Duration.ofSeconds(60), "Prometheus ready", () -> {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }, () -> {
      try {
        return logs();
      } catch (IOException e) {
        return e.toString();
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (autoscalerMetrics != null) {
      autoscalerMetrics.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static String binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new IllegalStateException(name + " is not installed (apt-get install -y prometheus"
        + " prometheus-alertmanager)");
  }

  private static void start(String name, List<String> command) throws IOException {
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve(name + ".log").toFile()).start());
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + prometheusPort + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).get("data");
  }

  private static String health(JsonNode targets, String job) {
    for (JsonNode t : targets.get("activeTargets")) {
      if (job.equals(t.at("/labels/job").asText())) {
        return t.get("health").asText();
      }
    }
    return "absent";
  }

  private static String logs() throws IOException {
    return Files.readString(home.resolve("prometheus.log")) + Files.readString(home.resolve("alertmanager.log"));
  }

  @Test
  void prometheusScrapesTheReplicaAndTheAutoscalerAndKnowsAlertmanagerAndTheRules() throws Exception {
    Await.until(Duration.ofSeconds(60), "API replica and autoscaler targets up", () -> {
      try {
        JsonNode targets = api("/api/v1/targets?state=active");
        return health(targets, "orion-api").equals("up") && health(targets, "orion-autoscaler").equals("up");
      } catch (Exception e) {
        return false;
      }
    }, () -> {
      try {
        return api("/api/v1/targets?state=active").toString() + "\n" + logs();
      } catch (Exception e) {
        return e.toString();
      }
    });
    String replicaMetrics = stack.driver.metricsAddress(stack.autoscaler.serving().get(0)).orElseThrow();
    JsonNode up = api("/api/v1/query?query=" + URLEncoder.encode("up{job=\"orion-api\"}", StandardCharsets.UTF_8));
    assertEquals(replicaMetrics, up.at("/result/0/metric/instance").asText(), up.toString());
    Await.until(Duration.ofSeconds(30), "the replica gauge scraped", () -> {
      try {
        JsonNode r = api("/api/v1/query?query=orion_api_replicas");
        return r.at("/result/0/value/1").asText().equals("1");
      } catch (Exception e) {
        return false;
      }
    }, () -> "no orion_api_replicas sample");
    JsonNode leases = api("/api/v1/query?query=" + URLEncoder.encode("max by (status) (orion_leases)",
        StandardCharsets.UTF_8));
    assertEquals(3, leases.get("result").size(), leases.toString());

    JsonNode rules = api("/api/v1/rules");
    String names = rules.toString();
    for (String alert : List.of("OrionNodeCpuHigh", "OrionNodeCpuModerate", "OrionNodesDead",
        "OrionClaimQueueStuck", "OrionLeaseRestoreFailing")) {
      assertTrue(names.contains("\"" + alert + "\""), alert + " loaded: " + names);
    }
    Await.until(Duration.ofSeconds(30), "Alertmanager discovered", () -> {
      try {
        return api("/api/v1/alertmanagers").get("activeAlertmanagers").size() == 1;
      } catch (Exception e) {
        return false;
      }
    }, () -> "no active Alertmanager");
  }
}
