package dev.orion.api.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.Limits;
import dev.orion.api.http.Json;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.ClientSsh;
import dev.orion.api.support.Http;
import dev.orion.testkit.Ports;
import dev.orion.testkit.SandboxNet;
import dev.orion.testkit.SandboxWorker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * bench/burn.sh: a tenant burns one core on its rented sandbox worker; time from the burn's start
 * until GET /api/nodes shows the node {@code high}, with the default settings everywhere: the
 * agent's heartbeat interval (10 s), the API's load smoothing and hysteresis
 * ({@link LoadConfig#defaults()}: time constant 15 s, 3 points), and, unless
 * {@code --no-monitoring}, Debian's Prometheus and Alertmanager with the files shipped in
 * {@code monitoring/} (only the addresses changed: free ports, this API's metrics and webhook).
 *
 * <p>One API replica on a fresh database, one sandbox worker (its cgroup limits it to one core)
 * running the real agent. Each round waits until the node is back to {@code low} and idle (and no
 * CPU alert is pending or firing), waits a random part of a heartbeat interval so the burn starts
 * at a different point of the agent's cycle, then starts a busy loop as the lessee over SSH. The
 * start is stamped inside the worker ({@code date}; one kernel, one clock) just before the loop
 * is forked. Figures per round: the heartbeat class {@code high} in GET /api/nodes (polled every
 * 200 ms as the tenant), when Prometheus's {@code OrionNodeCpuHigh} became pending (its
 * {@code activeAt}), and the alert's class in GET /api/nodes ({@code source: alertmanager}).
 *
 * <p>Arguments: {@code --rounds N} (3), {@code --out FILE} (docs/benchmarks.md; the run is
 * appended), {@code --no-monitoring} (heartbeats only), {@code --favour} (give the worker's cpu
 * group the largest weight, its one-core quota unchanged, for a host loaded by other work).
 */
public final class BurnBench {
  /** The agent's default ORION_HEARTBEAT_INTERVAL ({@code AgentConfig}): the burn's start is spread over it. */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);
  static final Duration ROUND_BOUND = Duration.ofMinutes(10);
  static final long POLL_MS = 200;
  static final String ALERT = "OrionNodeCpuHigh";

  private BurnBench() {}

  /**
   * @param reported the CPU figures of the heartbeats during the burn, in order (the first covers
   *     part of an interval before the burn)
   */
  record Round(int n, Instant start, double heartbeatS, double cpuAtHigh, Double pendingS, Double alertS,
      String loadBefore, List<Double> reported) {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1); // the API's and the database's threads would keep a failed run alive
    }
    System.exit(0);
  }

  static void run(String[] args) throws Exception {
    int rounds = 3;
    Path out = Path.of("docs/benchmarks.md");
    boolean monitoring = true;
    boolean favour = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--no-monitoring" -> monitoring = false;
        case "--favour" -> favour = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (bench/burn.sh [--rounds N] [--out FILE] [--no-monitoring] [--favour])");
      }
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1");
    }
    Path root = Path.of("").toAbsolutePath();
    Path agentClasses = root.resolve("agent/target/classes");
    if (!Files.isDirectory(agentClasses)) {
      throw new IllegalStateException("run from the repository's root after compiling (bench/burn.sh does both)");
    }
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadStart = loadAverage();
    List<Process> processes = new ArrayList<>();
    SandboxWorker worker = null;
    SandboxNet open = null;
    Burn burn = null;
    // Default load settings: the figure is the one an operator gets without tuning anything.
    LoadConfig load = LoadConfig.defaults();
    try (ApiHarness api = ApiHarness.start(Clock.systemUTC(), Limits.defaults(), load, "0.0.0.0")) {
      open = SandboxNet.allow(api.app.port());
      String classes = agentClasses + ":" + root.resolve("common/target/classes");
      // No ORION_HEARTBEAT_INTERVAL: the agent's default.
      worker = SandboxWorker.startWithAgent("burn-bench",
          "exec java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + classes + "' dev.orion.agent.AgentMain",
          Map.of("API_ENDPOINT", "http://127.0.0.1:" + api.app.port(), "ORION_AGENT_TOKEN", ApiHarness.AGENT_TOKEN));
      if (favour) {
        LoadStackE2eTest.favour(worker);
      }
      Path home = root.resolve("target/burn-bench-" + ProcessHandle.current().pid());
      Files.createDirectories(home);
      Prometheus prometheus = monitoring ? startMonitoring(root, home, api, processes) : null;

      String admin = api.adminToken();
      String hostname = worker.name();
      JsonNode node = await("the worker registered with its first load figures", Duration.ofMinutes(3),
          () -> find(api, admin, hostname), n -> n != null && !n.get("load").isNull());
      long nodeId = node.get("node_id").asLong();
      api.scrub(nodeId, worker); // no scheduler runs here to scrub the new node

      String tenant = api.newUser("burner");
      Http.Response rent = api.http.post("/api/rent", tenant, "{\"duration_hours\":2}");
      if (rent.status() != 201) {
        throw new IllegalStateException("rent failed: " + rent);
      }
      JsonNode c = rent.json().get(0);
      if (c.get("node_id").asLong() != nodeId) {
        throw new IllegalStateException("rent got node " + c.get("node_id") + ", not the bench's worker " + nodeId);
      }
      burn = new Burn(worker, c.get("client_user").asText(), c.get("client_pass").asText());
      String source = node.at("/load/source").asText();

      List<Round> results = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        await("node " + hostname + " low and idle again, no CPU alert pending or firing", ROUND_BOUND,
            () -> find(api, tenant, hostname), n -> idle(n) && (prometheus == null || prometheus.quiet(hostname)));
        long jitter = ThreadLocalRandom.current().nextLong(HEARTBEAT.toMillis());
        Thread.sleep(jitter);
        String loadBefore = loadAverage();
        String[] before = await("the node's last heartbeat", ROUND_BOUND, () -> lastHeartbeat(api, nodeId),
            b -> b != null);
        String lastBeat = before[0];
        List<Double> reported = new ArrayList<>();
        long t0 = burn.start();
        Double heartbeat = null;
        double cpuAtHigh = 0;
        Double pending = null;
        Double alert = null;
        long deadline = System.currentTimeMillis() + ROUND_BOUND.toMillis();
        long nextProm = 0;
        while (heartbeat == null || (prometheus != null && (pending == null || alert == null))) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("round " + r + ": not high within " + ROUND_BOUND + " (heartbeats "
                + heartbeat + " s, pending " + pending + " s, alert " + alert + " s); node: " + find(api, tenant, hostname));
          }
          JsonNode n = find(api, tenant, hostname);
          long now = System.currentTimeMillis();
          String[] beat = lastHeartbeat(api, nodeId);
          if (n == null || beat == null) {
            Thread.sleep(POLL_MS); // a transient failure, already reported: the next poll decides
            continue;
          }
          if (!beat[0].equals(lastBeat)) {
            lastBeat = beat[0];
            reported.add(Double.parseDouble(beat[1]));
          }
          String cls = n.at("/load/class").asText();
          boolean byAlert = "alertmanager".equals(n.at("/load/source").asText());
          if (heartbeat == null && "high".equals(cls) && !byAlert) {
            heartbeat = (now - t0) / 1000.0;
            cpuAtHigh = n.at("/load/cpu_percent").asDouble();
          }
          if (alert == null && "high".equals(cls) && byAlert) {
            alert = (now - t0) / 1000.0;
          }
          if (prometheus != null && pending == null && now >= nextProm) {
            try {
              Instant active = prometheus.activeAt(hostname);
              if (active != null) {
                pending = (active.toEpochMilli() - t0) / 1000.0;
              }
            } catch (IOException e) {
              System.err.println("asking Prometheus for its alerts failed: " + e.getMessage());
            }
            nextProm = now + 1000;
          }
          Thread.sleep(POLL_MS);
        }
        burn.stop();
        Round round = new Round(r, Instant.ofEpochMilli(t0), heartbeat, cpuAtHigh, pending, alert, loadBefore,
            reported);
        results.add(round);
        System.out.printf(Locale.ROOT, "round %d: high by heartbeats %.1f s (smoothed cpu %.1f %%)%s; reported %s%n", r,
            heartbeat, cpuAtHigh, prometheus == null ? "" : String.format(Locale.ROOT,
                ", Prometheus pending %.1f s, by Alertmanager %.1f s", pending, alert), reported);
      }
      String section = report(started, loadStart, rounds, out, monitoring, favour, source, load, results);
      System.out.print(section);
      Files.writeString(out, section, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } finally {
      if (burn != null) {
        try {
          burn.stop();
        } catch (IOException e) {
          System.err.println("stopping the burn: " + e.getMessage()); // the worker is closed below anyway
        }
      }
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      if (worker != null) {
        worker.close();
      }
      if (open != null) {
        open.close();
      }
    }
  }

  /** The tenant's busy loop on its worker, started and stopped over SSH as the lessee. */
  static final class Burn {
    private final SandboxWorker w;
    private final String user;
    private final String pass;
    private boolean running;

    Burn(SandboxWorker w, String user, String pass) {
      this.w = w;
      this.user = user;
      this.pass = pass;
    }

    /** Starts one core's busy loop, detached from the session; returns its start (epoch ms, the worker's clock). */
    long start() throws IOException {
      String out = ClientSsh.runWithPassword(w.ip(), w.port(), w.hostKey(), user, pass,
          "date +%s%3N; sh -c 'echo $$ > /tmp/burn.pid; exec timeout 1800 sh -c \"while :; do :; done\"'"
              + " >/dev/null 2>&1 </dev/null &");
      running = true;
      return Long.parseLong(out.strip());
    }

    void stop() throws IOException {
      if (running) {
        ClientSsh.runWithPassword(w.ip(), w.port(), w.hostKey(), user, pass, "kill $(cat /tmp/burn.pid)");
        running = false;
      }
    }
  }

  /** Prometheus's HTTP API, for when it first saw the load (the alert's activeAt) and whether it still does. */
  record Prometheus(String url, HttpClient http) {
    JsonNode alerts() throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/alerts"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("Prometheus answered " + r.statusCode() + ": " + r.body());
      }
      return Json.MAPPER.readTree(r.body()).at("/data/alerts");
    }

    /** When {@code OrionNodeCpuHigh} for the node became pending, or null. */
    Instant activeAt(String node) throws IOException, InterruptedException {
      for (JsonNode a : alerts()) {
        if (ALERT.equals(a.at("/labels/alertname").asText()) && node.equals(a.at("/labels/node").asText())) {
          return Instant.parse(a.get("activeAt").asText());
        }
      }
      return null;
    }

    /** No CPU alert of the node pending or firing. */
    boolean quiet(String node) {
      try {
        for (JsonNode a : alerts()) {
          if (a.at("/labels/alertname").asText().startsWith("OrionNodeCpu") && node.equals(a.at("/labels/node").asText())) {
            return false;
          }
        }
        return true;
      } catch (IOException e) {
        return false; // not ready yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * Alertmanager and Prometheus from Debian's packages with the shipped files: alertmanager.yml
   * with only the webhook's address changed, rules.yml as it is, prometheus.yml with its global
   * settings and alerting section as shipped (Alertmanager's address changed) and one scrape job
   * for this API's metrics listener in place of the stack's targets.
   */
  static Prometheus startMonitoring(Path root, Path home, ApiHarness api, List<Process> processes) throws IOException {
    int prometheusPort = Ports.free();
    int alertmanagerPort = Ports.free();
    Files.writeString(home.resolve("alert_token"), ApiHarness.ALERT_TOKEN);
    String am = Files.readString(root.resolve("monitoring/alertmanager.yml"));
    Files.writeString(home.resolve("alertmanager.yml"), replaced(am, "http://127.0.0.1:8090", api.url()));
    processes.add(start(home, "alertmanager", List.of(LoadStackE2eTest.binary("prometheus-alertmanager"),
        "--config.file=" + home.resolve("alertmanager.yml"), "--storage.path=" + home.resolve("am-data"),
        "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address=")));
    Files.copy(root.resolve("monitoring/rules.yml"), home.resolve("rules.yml"));
    String shipped = Files.readString(root.resolve("monitoring/prometheus.yml"));
    int scrape = shipped.indexOf("\nscrape_configs:");
    if (scrape < 0) {
      throw new IllegalStateException("monitoring/prometheus.yml has no scrape_configs section");
    }
    String prom = replaced(shipped.substring(0, scrape + 1), "127.0.0.1:19093", "127.0.0.1:" + alertmanagerPort) + """
        scrape_configs:
          - job_name: orion-api
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(api.app.metricsPort());
    Files.writeString(home.resolve("prometheus.yml"), prom);
    processes.add(start(home, "prometheus", List.of(LoadStackE2eTest.binary("prometheus"),
        "--config.file=" + home.resolve("prometheus.yml"), "--storage.tsdb.path=" + home.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + prometheusPort)));
    return new Prometheus("http://127.0.0.1:" + prometheusPort, HttpClient.newHttpClient());
  }

  static String replaced(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalStateException("the shipped file no longer holds " + from);
    }
    return text.replace(from, to);
  }

  static Process start(Path home, String name, List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(home.resolve(name + ".log").toFile())
        .start();
  }

  /** Heartbeat class low, no alert class, smoothed CPU near idle: the next burn starts from rest. */
  static boolean idle(JsonNode n) {
    return n != null && "low".equals(n.at("/load/class").asText())
        && !"alertmanager".equals(n.at("/load/source").asText()) && n.at("/load/cpu_percent").asDouble(100) < 10;
  }

  /** The node's last heartbeat: {its time as stored, the CPU figure it reported}. */
  static String[] lastHeartbeat(ApiHarness api, long nodeId) {
    try {
      return api.db.jdbi().withHandle(h -> h.createQuery("SELECT CONCAT(COALESCE(last_heartbeat_at, ''), ' ',"
          + " COALESCE(cpu_percent, -1)) FROM nodes WHERE id = :id").bind("id", nodeId).mapTo(String.class).one())
          .split(" (?=[^ ]*$)");
    } catch (RuntimeException e) {
      System.err.println("reading the node's last heartbeat failed: " + e);
      return null;
    }
  }

  static JsonNode find(ApiHarness api, String token, String hostname) {
    Http.Response r = api.http.get("/api/nodes", token);
    if (r.status() != 200) {
      // 503 while the database is slow to answer (a loaded host): skip this poll, not the run.
      System.err.println("GET /api/nodes answered " + r.status() + ": " + r.body());
      return null;
    }
    for (JsonNode n : r.json()) {
      if (n.get("hostname").asText().equals(hostname)) {
        return n;
      }
    }
    return null;
  }

  interface Probe<T> {
    T get() throws Exception;
  }

  static <T> T await(String what, Duration bound, Probe<T> probe, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("waited " + bound + " for " + what + "; last seen: " + last);
  }

  static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  static String machine() throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
    long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
    return String.format(Locale.ROOT, "%d cores (%s), %d GiB, Java %s, Linux %s",
        Runtime.getRuntime().availableProcessors(), cpu, Math.round(memKb / 1048576.0),
        System.getProperty("java.version"), System.getProperty("os.version"));
  }

  /** The heartbeats' figures in order, with the median of those after the first (whole intervals of burn). */
  static String reported(List<Double> v) {
    String all = String.join(", ", v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
    if (v.size() < 2) {
      return all + " %";
    }
    return String.format(Locale.ROOT, "%s %% (median after the first %.0f %%)", all, pct(v.subList(1, v.size()), 50));
  }

  /** Nearest rank, as the other benches. */
  static double pct(List<Double> values, int p) {
    List<Double> s = values.stream().sorted().toList();
    return s.get(Math.max(0, Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1)));
  }

  static String report(Instant started, String loadStart, int rounds, Path out, boolean monitoring, boolean favour,
      String source, LoadConfig load, List<Round> results) throws IOException {
    StringBuilder command = new StringBuilder("bench/burn.sh --rounds " + rounds);
    if (!out.equals(Path.of("docs/benchmarks.md"))) {
      command.append(" --out ").append(out);
    }
    if (!monitoring) {
      command.append(" --no-monitoring");
    }
    if (favour) {
      command.append(" --favour");
    }
    StringBuilder s = new StringBuilder();
    s.append("\n## Tenant burns one core → node `high`, default settings (bench/burn.sh)\n\n");
    s.append("- date: ").append(started).append('\n');
    s.append("- machine: ").append(machine()).append(", load average (1, 5, 15 min) ").append(loadStart)
        .append(" at the start, ").append(loadAverage()).append(" at the end; shared with other builds unless quiet\n");
    s.append("- command: `").append(command).append("`\n");
    s.append(String.format(Locale.ROOT, "- setup: one API replica (in-process, embedded MariaDB 11.4) with the default"
        + " load settings (time constant %d s, hysteresis %.0f points, flush %d ms), one sandbox worker limited to one"
        + " core by its cgroup%s, running the real agent with its default heartbeat interval (%d s; figures from %s);"
        + " the lessee starts `while :; do :; done` over SSH, stamped with `date` inside the worker just before the"
        + " fork; GET /api/nodes polled every %d ms as the tenant. Before each round the node is back to `low` with"
        + " smoothed CPU under 10 %%%s, then a random 0–%d s wait spreads the start over the heartbeat cycle. \"CPU reported\" is"
        + " what each heartbeat during the burn carried (the worker's cgroup use over its interval, of its one core):"
        + " well under 100 %% means the burn did not get its core.",
        load.timeConstant().toSeconds(), load.hysteresis(), load.flushInterval().toMillis(),
        favour ? " (its cpu group given the largest weight, quota unchanged)" : "", HEARTBEAT.toSeconds(), source,
        POLL_MS, monitoring ? " and no CPU alert pending or firing" : "", HEARTBEAT.toSeconds()));
    if (monitoring) {
      s.append(" Debian's Prometheus 2.42 and Alertmanager 0.25 with the shipped `monitoring/` files (scrape and"
          + " evaluation 15 s, `OrionNodeCpuHigh` `for: 1m`, group_wait 10 s; only addresses changed), scraping this"
          + " API's metrics listener; \"pending\" is the alert's `activeAt` in Prometheus, \"by Alertmanager\" the"
          + " node listed `high` with `source: alertmanager`.");
    }
    s.append("\n\n");
    if (monitoring) {
      s.append("| round | burn start | load average before | CPU reported by heartbeats | high by heartbeats"
          + " | smoothed CPU then | Prometheus pending | high by Alertmanager |\n|---|---|---|---|---|---|---|---|\n");
    } else {
      s.append("| round | burn start | load average before | CPU reported by heartbeats | high by heartbeats"
          + " | smoothed CPU then |\n|---|---|---|---|---|---|\n");
    }
    for (Round r : results) {
      s.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.1f s | %.1f %% |", r.n(),
          r.start().truncatedTo(ChronoUnit.SECONDS), r.loadBefore(), reported(r.reported()), r.heartbeatS(),
          r.cpuAtHigh()));
      if (monitoring) {
        s.append(String.format(Locale.ROOT, " %.1f s | %.1f s |", r.pendingS(), r.alertS()));
      }
      s.append('\n');
    }
    List<Double> hb = results.stream().map(Round::heartbeatS).toList();
    s.append(String.format(Locale.ROOT, "\n- burn → `high` by heartbeats: p50 %.1f s, max %.1f s over %d rounds"
        + " (target ≤ 30 s)\n", pct(hb, 50), pct(hb, 100), hb.size()));
    if (monitoring) {
      List<Double> al = results.stream().map(Round::alertS).toList();
      List<Double> pe = results.stream().map(Round::pendingS).toList();
      s.append(String.format(Locale.ROOT, "- burn → `high` through Prometheus and Alertmanager: p50 %.1f s, max %.1f s"
          + " (Prometheus pending after p50 %.1f s, max %.1f s)\n", pct(al, 50), pct(al, 100), pct(pe, 50),
          pct(pe, 100)));
    }
    return s.toString();
  }
}
