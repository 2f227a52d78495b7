package dev.orion.autoscaler.bench;

import dev.orion.autoscaler.Autoscaler;
import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.e2e.ApiClient;
import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.autoscaler.e2e.CaddyUnderTest;
import dev.orion.autoscaler.e2e.EdgeStack;
import dev.orion.autoscaler.e2e.Load;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge benchmarks of one run: GET /api/nodes throughput direct, through Caddy and against a
 * Javalin hello-world (direct and through Caddy); a storm of 1,000 agent registrations through
 * Caddy; and the scale-up reaction time. Prints the figures and appends them to
 * docs/benchmarks.md (or the file named by the first argument).
 */
public final class EdgeBench {
  private EdgeBench() {}

  public static void main(String[] args) throws Exception {
    // --throughput-only: the GET /api/nodes rows alone, printed and not recorded (for tuning).
    boolean throughputOnly = List.of(args).contains("--throughput-only");
    Path report = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "docs/benchmarks.md");
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    DbConfig db = TestDb.freshConfig(40);
    Path home = Path.of("autoscaler/target/bench-" + ProcessHandle.current().pid())
        .toAbsolutePath();
    ApiProcesses api = new ApiProcesses(db, home);
    StringBuilder rows = new StringBuilder();
    String storm = "";
    String reaction = "";
    try (CaddyUnderTest caddy = new CaddyUnderTest("bench").awaitReady(Duration.ofSeconds(60))) {
      CaddyAdmin admin = new CaddyAdmin(caddy.admin(), Duration.ofSeconds(5));
      int apiPort = Ports.free();
      int helloPort = Ports.free();
      Process apiProcess = start(ApiProcesses.API_MAIN, api.env(), apiPort, home, "api");
      Process hello = start(HelloWorld.class.getName(), Map.of(), helloPort, home, "hello");
      try {
        awaitReady(apiPort);
        awaitReady(helloPort);
        String direct = "http://127.0.0.1:" + apiPort;
        ApiClient client = new ApiClient(direct, null);
        String token = client.token("bench", "bench-password-1");
        for (int i = 0; i < 100; i++) {
          HttpResponse<String> r = client.send(client.register(api.agentToken,
              String.format("bench-%03d", i), "10.0.0." + (i + 1), 22, ApiClient.newHostKey()));
          check(r, 201);
        }

        NodesThroughput.Urls urls = new NodesThroughput.Urls(direct + "/api/nodes",
            "http://127.0.0.1:" + helloPort + "/hello", caddy.https("/api/nodes").toString(),
            caddy.https("/hello").toString());
        rows.append(NodesThroughput.measure(urls, token, client.token(api.adminUser, api.adminPassword),
            () -> admin.reconcile(List.of("127.0.0.1:" + apiPort)),
            () -> admin.reconcile(List.of("127.0.0.1:" + helloPort))));

        if (!throughputOnly) {
          admin.reconcile(List.of("127.0.0.1:" + apiPort));
          storm = storm(caddy, api, direct, token);
        }
      } finally {
        stop(apiProcess);
        stop(hello);
      }
    }
    if (throughputOnly) {
      System.out.print(rows);
      System.exit(0);
    }
    reaction = scaleUpReaction(api, 0) + "\n" + scaleUpReaction(api, 1);

    String section = "\n## Edge: Caddy, API throughput, registration storm, scale-up (bench/edge.sh)\n\n"
        + "- date: " + started + "\n"
        + "- machine: " + machine() + "\n"
        + "- command: `bench/edge.sh`\n"
        + "- setup: embedded MariaDB 11.4, the API (`dev.orion.api.ApiMain`, -Xmx256m, serial GC)"
        + " and a Javalin hello-world with the same flags, the edge and pool Caddy ("
        + caddyVersion() + ") and the load client all on this machine; "
        + NodesThroughput.method() + "; \"through Caddy\" is HTTPS to the edge,"
        + " which opens a loopback connection per request to the pool, which proxies to the"
        + " replica.\n\n"
        + "| what | requests/s | note |\n|---|---|---|\n" + rows
        + "\n" + storm + "\n" + reaction + "\n";
    System.out.print(section);
    if (!Files.exists(report)) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, "# Benchmarks\n\nFigures recorded by the scripts under `bench/`.\n");
    }
    Files.writeString(report, section, StandardOpenOption.APPEND);
    System.exit(0);
  }

  /** 1,000 distinct agents registering at once through the agent port of the edge. */
  private static String storm(CaddyUnderTest caddy, ApiProcesses api, String direct,
      String token) throws Exception {
    int n = 1000;
    int concurrency = 50;
    ApiClient agents = new ApiClient("http://127.0.0.1:" + caddy.agentPort, null);
    List<HttpRequest.Builder> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(agents.register(api.agentToken, String.format("storm-%04d", i),
          "10.1." + (i / 250) + "." + (i % 250 + 1), 22, ApiClient.newHostKey()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (HttpRequest.Builder r : requests) {
      answers.add(pool.submit(() -> agents.send(r)));
    }
    int created = 0;
    int other = 0;
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    Set<String> ids = new HashSet<>();
    Pattern id = Pattern.compile("\"node_id\"\\s*:\\s*\"?([^\",}]+)");
    for (Future<HttpResponse<String>> f : answers) {
      HttpResponse<String> r = f.get();
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 201) {
        created++;
        Matcher m = id.matcher(r.body());
        if (m.find()) {
          ids.add(m.group(1));
        }
      } else {
        other++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    // Every agent registers once more: the answer must be "already registered", same id.
    int again = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = agents.send(agents.register(api.agentToken,
          String.format("storm-%04d", i * 50), "10.1." + (i * 50 / 250) + "."
              + (i * 50 % 250 + 1), 22, "x"));
      again += r.statusCode() == 200 || r.statusCode() == 409 ? 0 : 1;
    }
    ApiClient c = new ApiClient(direct, null);
    HttpResponse<String> nodes = c.send(c.request("/api/nodes")
        .header("Authorization", "Bearer " + token));
    Matcher hosts = Pattern.compile("\"hostname\"\\s*:\\s*\"(storm-\\d+)\"").matcher(nodes.body());
    List<String> listed = new ArrayList<>();
    while (hosts.find()) {
      listed.add(hosts.group(1));
    }
    int duplicates = listed.size() - new HashSet<>(listed).size();
    String line = String.format(Locale.ROOT,
        "Registration storm through Caddy's agent port: %d agents, %d concurrent: %.2f s"
            + " (%.0f/s; target <= 5 s); answers by status %s; %d distinct node ids, %d storm"
            + " nodes listed, %d duplicates.",
        n, concurrency, seconds, n / seconds, statuses, ids.size(), listed.size(),
        duplicates);
    System.out.println(line);
    return "- " + line;
  }

  /**
   * From the first autoscaler tick that sees CPU above target (it decides the scale-up at once)
   * until the new replica answers a request through Caddy.
   */
  private static String scaleUpReaction(ApiProcesses api, int spares) throws Exception {
    ScalingPolicy policy = new ScalingPolicy(50, 0.1, 1, 2, Duration.ofSeconds(60), 1, 1);
    try (EdgeStack stack = EdgeStack.api("bench-scale-" + spares, policy, api, spares)) {
      Autoscaler a = stack.autoscaler;
      a.start();
      long deadline = System.nanoTime() + 240_000_000_000L;
      ApiClient client = null;
      // Steady first: one replica serving, the spare (if any) ready, a few quiet ticks.
      int quiet = 0;
      while (quiet < 10 && System.nanoTime() < deadline) {
        boolean steady = a.serving().size() == 1 && a.active().size() == 1
            && (spares == 0 || a.spares().size() == spares
                && stack.driver.list().size() == 1 + spares
                && a.lastDecision() != null && !a.lastDecision().changes());
        if (steady && client == null) {
          client = stack.client();
          client.token("scaler", "scaler-password-1");
        }
        quiet = steady && a.lastDecision().desired() == 1 ? quiet + 1 : 0;
        Thread.sleep(500);
      }
      ApiClient c = client;
      long loadStart = System.nanoTime();
      try (Load load = new Load(stack.caddy.trust(), 4,
          () -> c.login("scaler", "scaler-password-1"), 0, 100_000,
          Duration.ofSeconds(90))) {
        long decided = 0;
        while (System.nanoTime() < deadline) {
          if (decided == 0 && a.lastDecision() != null && a.lastDecision().desired() > 1) {
            decided = System.nanoTime();
            System.out.println("scale-up decided: " + a.lastDecision().reason());
          }
          if (decided != 0 && load.perReplica().size() >= 2) {
            break;
          }
          Thread.sleep(50);
        }
        long served = System.nanoTime();
        load.close();
        String line = String.format(Locale.ROOT,
            "Scale-up reaction, %s (target CPU 50%%, tick 0.5 s, 4 clients logging in"
                + " through Caddy, bcrypt-bound): load start to the scale-up decision (the first"
                + " tick that saw CPU above target) %.1f s; decision to the new replica"
                + " answering through Caddy %.1f s (target <= 15 s); %d failed of %d requests.",
            spares == 0 ? "cold start (no warm spare)" : "with " + spares + " warm spare",
            (decided - loadStart) / 1e9, (served - decided) / 1e9, load.failures().size(),
            load.outcomes().size());
        System.out.println(line);
        return "- " + line;
      }
    }
  }

  private static Process start(String main, Map<String, String> env, int port, Path home,
      String name) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(ApiProcesses.command(main)).redirectErrorStream(true)
        .redirectOutput(home.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    pb.environment().put("ORION_HTTP_HOST", "127.0.0.1");
    pb.environment().put("ORION_HTTP_PORT", Integer.toString(port));
    pb.environment().put("ORION_METRICS_PORT", "0");
    pb.environment().put("ORION_DB_MIGRATE", "false");
    return pb.start();
  }

  private static void awaitReady(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("nothing ready on port " + port);
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  private static void check(HttpResponse<String> r, int status) {
    if (r.statusCode() != status) {
      throw new IllegalStateException("expected " + status + ", got " + r.statusCode() + ": "
          + r.body());
    }
  }

  private static String caddyVersion() {
    try {
      Process p = new ProcessBuilder("caddy", "version").redirectErrorStream(true).start();
      return "Caddy " + new String(p.getInputStream().readAllBytes()).strip().split("\\s")[0];
    } catch (IOException e) {
      return "Caddy";
    }
  }

  static String machine() {
    String cpu = "?";
    long memKb = 0;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).strip();
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal")) {
          memKb = Long.parseLong(l.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // leave unknowns
    }
    String load = "?";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      // leave unknown
    }
    return String.format(Locale.ROOT, "%d cores (%s), %d GiB, Java %s, Linux %s, load average"
            + " %s at the end of the run", Runtime.getRuntime().availableProcessors(), cpu,
        memKb / 1024 / 1024, System.getProperty("java.version"), System.getProperty("os.version"),
        load);
  }
}
