package dev.orion.api.load;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.Limits;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.ClientSsh;
import dev.orion.api.support.Http;
import dev.orion.testkit.Ports;
import dev.orion.testkit.SandboxNet;
import dev.orion.testkit.SandboxWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole load path with real parts: two sandbox workers run the real agent, which reports
 * its worker's cgroup; a tenant burns one core on its rented worker. The node turns high from
 * its heartbeats alone, and through Debian's Prometheus scraping the API's metrics, the shipped
 * rules and Alertmanager calling the webhook; a following rent gets the other worker; when the
 * burn stops the class returns to low and the alert resolves. Test settings shorten every
 * interval (time constant 3 s, heartbeats 500 ms, scrape and evaluation 1 s, {@code for: 2s},
 * group wait 1 s); the shipped files are used otherwise.
 */
class LoadStackE2eTest {
  static final Duration BOUND = Duration.ofMinutes(3);
  static ApiHarness api;
  static SandboxNet open;
  static final List<SandboxWorker> WORKERS = new ArrayList<>();
  static final List<Process> PROCESSES = new ArrayList<>();
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    LoadConfig load = new LoadConfig(Duration.ofSeconds(3), 3, LoadConfig.Placement.LOAD,
        LoadConfig.DEFAULT_HIGH_EVENT_AFTER, LoadConfig.DEFAULT_FLUSH_INTERVAL);
    // On every address: the agents reach the API through their workers' gateway.
    api = ApiHarness.start(Clock.systemUTC(), Limits.defaults(), load, "0.0.0.0");
    open = SandboxNet.allow(api.app.port());
    Path root = Path.of("..").toAbsolutePath().normalize();
    String classes = root.resolve("agent/target/classes") + ":" + root.resolve("common/target/classes");
    for (int i = 0; i < 2; i++) {
      WORKERS.add(SandboxWorker.startWithAgent("burn-" + i,
          "exec java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + classes + "' dev.orion.agent.AgentMain",
          Map.of("API_ENDPOINT", "http://127.0.0.1:" + api.app.port(), "ORION_AGENT_TOKEN", ApiHarness.AGENT_TOKEN,
              "ORION_HEARTBEAT_INTERVAL", "500ms")));
    }

    for (SandboxWorker w : WORKERS) {
      favour(w);
    }
    home = Path.of("target", "load-stack-" + ProcessHandle.current().pid()).toAbsolutePath();
    Files.createDirectories(home);
    int prometheusPort = Ports.free();
    int alertmanagerPort = Ports.free();
    Files.writeString(home.resolve("alert_token"), ApiHarness.ALERT_TOKEN);
    Files.writeString(home.resolve("alertmanager.yml"), Files.readString(root.resolve("monitoring/alertmanager.yml"))
        .replace("http://127.0.0.1:8090", api.url())
        .replace("group_wait: 10s", "group_wait: 1s")
        .replace("group_interval: 1m", "group_interval: 2s"));
    start("alertmanager", List.of(binary("prometheus-alertmanager"),
        "--config.file=" + home.resolve("alertmanager.yml"), "--storage.path=" + home.resolve("am-data"),
        "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address="));
    Files.writeString(home.resolve("rules.yml"), Files.readString(root.resolve("monitoring/rules.yml"))
        .replace("for: 1m", "for: 2s"));
    Files.writeString(home.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ["127.0.0.1:%d"]
        scrape_configs:
          - job_name: orion-api
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(home.resolve("rules.yml"), alertmanagerPort, api.app.metricsPort()));
    start("prometheus", List.of(binary("prometheus"), "--config.file=" + home.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + home.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : PROCESSES) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    SandboxWorker.closeAll(WORKERS);
    if (open != null) {
      open.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aBurnOnARentedWorkerMakesItHighByHeartbeatsAndByAlertsAndBothClearAfterIt() throws Exception {
    String admin = api.adminToken();
    await().atMost(BOUND).until(() -> registeredWithLoad(admin) == 2);
    for (SandboxWorker w : WORKERS) { // new nodes start unclean; no scheduler runs here to scrub them
      for (JsonNode x : api.http.get("/api/nodes", admin).json()) {
        if (x.get("hostname").asText().equals(w.name())) {
          api.scrub(x.get("node_id").asLong(), w);
        }
      }
    }

    String tenant = api.newUser("burner");
    Http.Response rent = api.http.post("/api/rent", tenant, "{\"duration_hours\":1}");
    assertEquals(201, rent.status(), rent.body());
    JsonNode c = rent.json().get(0);
    long node = c.get("node_id").asLong();
    SandboxWorker w = WORKERS.stream().filter(x -> x.ip().equals(c.get("host_ip").asText())).findFirst().orElseThrow();
    String user = c.get("client_user").asText();
    String pass = c.get("client_pass").asText();
    await("idle worker classed low").atMost(BOUND).until(() -> loadRow(node), r -> r.startsWith("low "));

    long burnStarted = System.nanoTime();
    // One core, as the tenant, detached from the SSH session.
    ClientSsh.runWithPassword(w.ip(), w.port(), w.hostKey(), user, pass,
        "sh -c 'echo $$ > /tmp/burn.pid; exec timeout 600 sh -c \"while :; do :; done\"' >/dev/null 2>&1 </dev/null &");
    await("burning worker classed high by heartbeats").atMost(BOUND).until(() -> loadRow(node), r -> r.startsWith("high "));
    double byHeartbeats = (System.nanoTime() - burnStarted) / 1e9;
    await("alert firing at the webhook").atMost(BOUND).until(() -> alertClass(node).equals(Optional.of("high")));
    double byAlerts = (System.nanoTime() - burnStarted) / 1e9;
    JsonNode listed = nodeOf(admin, node);
    assertEquals("high", listed.at("/load/class").asText(), listed.toString());
    assertEquals("alertmanager", listed.at("/load/source").asText(), listed.toString());
    System.out.printf("burn -> high: by heartbeats %.1f s, through Prometheus and Alertmanager %.1f s%n",
        byHeartbeats, byAlerts);

    Http.Response next = api.http.post("/api/rent", api.newUser("neighbour"), "{\"duration_hours\":1}");
    assertEquals(201, next.status(), next.body());
    assertNotEquals(node, next.json().get(0).get("node_id").asLong(), "the following rent gets another worker");

    ClientSsh.runWithPassword(w.ip(), w.port(), w.hostKey(), user, pass, "kill $(cat /tmp/burn.pid)");
    await("worker low again by heartbeats").atMost(BOUND).until(() -> loadRow(node), r -> r.startsWith("low "));
    await("alert resolved").atMost(BOUND).until(() -> alertClass(node).isEmpty());
    listed = nodeOf(admin, node);
    assertEquals("low", listed.at("/load/class").asText(), listed.toString());

    // The lessee saw its worker's class changes in the lease's history.
    JsonNode events = api.http.get("/api/rentals/" + c.get("rental_id").asLong(), tenant).json().get("events");
    List<String> changes = new ArrayList<>();
    events.forEach(e -> {
      if (e.get("kind").asText().equals("load")) {
        changes.add(e.get("to_status").asText());
      }
    });
    assertTrue(changes.contains("high"), events.toString());
    assertEquals("low", changes.get(changes.size() - 1), events.toString());
  }

  static int registeredWithLoad(String admin) {
    int n = 0;
    for (JsonNode x : api.http.get("/api/nodes", admin).json()) {
      if (x.get("hostname").asText().startsWith("burn-") && !x.get("load").isNull()) {
        n++;
      }
    }
    return n;
  }

  /** The node's heartbeat-derived load: class, cpu, source, last sample (for the failure message too). */
  static String loadRow(long node) {
    return api.db.jdbi().withHandle(h -> h.createQuery("SELECT CONCAT(load_class, ' ', cpu_percent, ' ', source,"
        + " ' ', sampled_at) FROM node_load WHERE node_id = :n").bind("n", node).mapTo(String.class).findOne())
        .orElse("none");
  }

  static Optional<String> alertClass(long node) {
    return api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT load_class FROM node_alert_classes WHERE node_id = :n AND alertname = 'OrionNodeCpuHigh'")
        .bind("n", node).mapTo(String.class).findFirst());
  }

  static JsonNode nodeOf(String token, long id) {
    for (JsonNode n : api.http.get("/api/nodes", token).json()) {
      if (n.get("node_id").asLong() == id) {
        return n;
      }
    }
    throw new AssertionError("node " + id + " not listed");
  }

  /**
   * Gives the worker's cpu group the largest weight: its quota (one core) stays the limit, but on
   * a host shared with other builds (load averages of 30-100 seen) the burn must get its core for
   * "one core of one" to be what the worker reports.
   */
  static void favour(SandboxWorker w) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(w.namespacePid()), "cgroup"))) {
      String[] f = line.split(":", 3);
      if (f[0].equals("0") && !f[2].equals("/")) {
        Path weight = Path.of("/sys/fs/cgroup" + f[2], "cpu.weight");
        if (Files.exists(weight)) {
          Files.writeString(weight, "10000");
        }
      } else if (java.util.Arrays.asList(f[1].split(",")).contains("cpu")) {
        Files.writeString(Path.of("/sys/fs/cgroup/" + f[1] + f[2], "cpu.shares"), "262144");
      }
    }
  }

  static String binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new IllegalStateException(name + " is not installed (apt-get install -y prometheus prometheus-alertmanager)");
  }

  static void start(String name, List<String> command) throws IOException {
    PROCESSES.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve(name + ".log").toFile()).start());
  }
}
