package dev.orion.autoscaler.bench;

import dev.orion.autoscaler.e2e.ApiClient;
import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heartbeats per second one API replica accepts, before and after node tokens, in one run: an
 * older API's fat jar (heartbeats carry the fleet's shared enrollment token, compared in constant
 * time, and name the node by hostname) and the API of this checkout (heartbeats carry the node's
 * own token, looked up by its SHA-256); optionally also the fat jar of the commit that brought node
 * tokens, alone, which tells their cost apart from what the heartbeat path gained since. Each API
 * runs on its own free port against its own empty schema on one embedded MariaDB and migrates it
 * itself; the same agents are enrolled in each. wrk drives them in turn, round after round (the
 * order reversed every round, so load from the rest of the machine falls on all), first with the
 * bare heartbeat (hostname only: the node row alone) and then with CPU and memory figures.
 * Appends the figures to the report.
 */
public final class HeartbeatCompareBench {
  private HeartbeatCompareBench() {}

  /**
   * One API under test. {@code nodeTokens}: heartbeats carry the node's own token (else the
   * enrollment token); {@code loadSource}: it knows the heartbeat's load_source field.
   */
  private record Api(String name, String label, String base, Process process, ApiProcesses env,
      boolean nodeTokens, boolean loadSource) {}

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args[0]);
    Path oldJar = Path.of(args[1]).toAbsolutePath();
    String oldLabel = args[2];
    int agents = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 8;
    // Optional third API: the commit that brought node tokens, alone, to tell their cost apart
    // from everything else the heartbeat path gained since.
    Path midJar = args.length > 7 ? Path.of(args[6]).toAbsolutePath() : null;
    String midLabel = args.length > 7 ? args[7] : null;
    String command = System.getProperty("bench.command", "bench/heartbeats_compare.sh").strip();
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadBefore = loadAverage();
    Path home = Path.of("autoscaler/target/heartbeat-compare-" + ProcessHandle.current().pid()).toAbsolutePath();
    DbConfig server = TestDb.freshConfig(1); // starts the embedded MariaDB; its schema is not used
    List<Api> apis = new ArrayList<>();
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      apis.add(start("before", "before (" + oldLabel + ", enrollment token)",
          List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", oldJar.toString()), server, home, false, false));
      if (midJar != null) {
        apis.add(start("tokens", "node tokens alone (" + midLabel + ")",
            List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", midJar.toString()), server, home, true, false));
      }
      apis.add(start("after", "after (this checkout, node token)", ApiProcesses.command(ApiProcesses.API_MAIN),
          server, home, true, true));
      for (Api a : apis) {
        HeartbeatBench.awaitReady(a.base);
      }
      List<String> hostnames = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        hostnames.add(String.format("hb-%05d", i));
      }
      Map<String, Path> scripts = new LinkedHashMap<>();
      for (Api a : apis) {
        List<String> tokens = enroll(a.env, a.base, hostnames, a.nodeTokens);
        if (!a.nodeTokens) {
          tokens = Collections.nCopies(agents, a.env.agentToken);
        }
        scripts.put(a.name + " bare", script(home.resolve(a.name), hostnames, tokens, false, a.loadSource));
        scripts.put(a.name + " load", script(home.resolve(a.name), hostnames, tokens, true, a.loadSource));
      }
      Map<String, List<double[]>> results = new LinkedHashMap<>();
      scripts.keySet().forEach(k -> results.put(k, new ArrayList<>()));
      for (Api a : apis) { // warm-up: every API and body once, compiled code after it
        for (String body : List.of("bare", "load")) {
          HeartbeatBench.wrk(a.base, scripts.get(a.name + " " + body), a.process.pid(), 3);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (String body : List.of("bare", "load")) {
          List<Api> order = new ArrayList<>(apis);
          if (r % 2 == 1) {
            Collections.reverse(order);
          }
          for (Api a : order) {
            String k = a.name + " " + body;
            double[] m = HeartbeatBench.wrk(a.base, scripts.get(k), a.process.pid(), seconds);
            results.get(k).add(m);
            System.out.printf(Locale.ROOT, "round %d %-12s %8.0f/s  %.2f cores per 1,000/s%n", r + 1, k, m[0], m[1]);
          }
        }
      }
      String loadAfter = loadAverage();
      StringBuilder table = new StringBuilder(
          "| heartbeat body | API | heartbeats/s (median) | ÷ before (median of the rounds' ratios) | API CPU per 1,000/s (cores) | rounds (heartbeats/s) |\n"
          + "|---|---|---|---|---|---|\n");
      for (String body : List.of("bare", "load")) {
        String what = body.equals("bare") ? "hostname only (node row alone)" : "hostname, cpu_percent, mem_percent";
        for (Api a : apis) {
          List<double[]> m = results.get(a.name + " " + body);
          table.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %s |%n", what, a.label,
              median(m, 0), ratio(m, results.get("before " + body)), median(m, 1), rates(m)));
        }
      }
      String section = String.format(Locale.ROOT, """

          ## Heartbeat ingest before and after node tokens, one run (bench/heartbeats_compare.sh)

          - date: %s
          - machine: %s; load average (1, 5, 15 min) %s at the start, %s at the end
          - command: `%s`
          - setup: one embedded MariaDB 11.4; %d API processes (-Xmx256m, serial GC, 16 database
            connections), each on its own free port and its own empty schema, which it migrates itself:
            before = the fat jar of %s (heartbeat carries the fleet's enrollment token, compared in
            constant time; the UPDATE finds the node by hostname);%s after = this checkout's
            `dev.orion.api.ApiMain` (the node's own token, found by its SHA-256 in the UPDATE's WHERE;
            with figures it also folds them into the node's smoothed load); %d agents enrolled in each;
            wrk, 2 threads, 16 connections, each request the next agent's heartbeat; a 3 s warm-up of
            each, then %d rounds of %d s per API and body, the APIs in turn and the order reversed every
            round; API CPU from /proc/PID/stat. Bodies: today's agent also sends load_source, which the
            older APIs refuse, so they get the body without it.

          %s""", started, EdgeBench.machine(), loadBefore, loadAfter, command, apis.size(), oldLabel,
          midJar == null ? "" : " node tokens alone = the fat jar of " + midLabel
              + " (the node token, found by its SHA-256, nothing else changed);",
          agents, rounds, seconds, table);
      System.out.print(section);
      Files.writeString(report, section, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } finally {
      for (Api a : apis) {
        a.process.destroy();
        a.process.waitFor();
      }
    }
    System.exit(0);
  }

  /** A new empty database next to the test kit's, for an API to migrate itself. */
  private static DbConfig emptySchema(DbConfig server, String prefix) throws Exception {
    String url = server.url().substring(0, server.url().lastIndexOf('/') + 1);
    String name = prefix + "_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(url, server.user(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    return new DbConfig(url + name, server.user(), server.password(), 16);
  }

  private static Api start(String name, String label, List<String> command, DbConfig server, Path home,
      boolean nodeTokens, boolean loadSource) throws Exception {
    ApiProcesses env = new ApiProcesses(emptySchema(server, "hb_" + name), home.resolve(name));
    int port = Ports.free();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve(name).resolve("api.log").toFile());
    pb.environment().putAll(env.env());
    pb.environment().put("ORION_HTTP_PORT", Integer.toString(port));
    pb.environment().put("ORION_METRICS_PORT", "0");
    pb.environment().put("ORION_DB_POOL_SIZE", "16");
    return new Api(name, label, "http://127.0.0.1:" + port, pb.start(), env, nodeTokens, loadSource);
  }

  /** Registers every hostname; with node tokens, returns each node's token in the same order. */
  private static List<String> enroll(ApiProcesses env, String base, List<String> hostnames, boolean nodeTokens)
      throws Exception {
    ApiClient client = new ApiClient(base, null);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    Pattern token = Pattern.compile("\"node_token\":\"([^\"]+)\"");
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < hostnames.size(); i++) {
      String hostname = hostnames.get(i);
      // Registration data only: no traffic ever goes to these addresses.
      String ip = "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256);
      futures.add(pool.submit(() -> {
        HttpResponse<String> r = client.send(client.register(env.agentToken, hostname, ip, 22, ApiClient.newHostKey()));
        if (r.statusCode() != 201) {
          throw new IllegalStateException("enrolling " + hostname + ": " + r.statusCode() + " " + r.body());
        }
        if (!nodeTokens) {
          return null;
        }
        Matcher m = token.matcher(r.body());
        if (!m.find()) {
          throw new IllegalStateException("no node token for " + hostname + ": " + r.body());
        }
        return m.group(1);
      }));
    }
    List<String> out = new ArrayList<>();
    for (Future<String> f : futures) {
      out.add(f.get());
    }
    pool.shutdown();
    return out;
  }

  /**
   * A wrk script cycling over the agents. Older APIs refuse fields they do not know, so their
   * body with figures has no load_source; this checkout's gets what today's agent sends.
   */
  private static Path script(Path dir, List<String> hostnames, List<String> tokens, boolean load, boolean loadSource)
      throws Exception {
    List<String> bodies = hostnames.stream().map(h -> !load ? "{\"hostname\":\"" + h + "\"}"
        : "{\"hostname\":\"" + h + "\",\"cpu_percent\":42.5,\"mem_percent\":30.0"
            + (loadSource ? ",\"load_source\":\"cgroup-v1\"}" : "}")).toList();
    return HeartbeatBench.heartbeatScript(dir.resolve(load ? "heartbeat-load.lua" : "heartbeat-bare.lua"), tokens,
        bodies);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static double median(List<double[]> rounds, int i) {
    List<Double> v = new ArrayList<>(rounds.stream().map(r -> r[i]).toList());
    Collections.sort(v);
    return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
  }

  /** Median of the rounds' own after/before ratios (each pair measured back to back). */
  private static double ratio(List<double[]> after, List<double[]> before) {
    List<double[]> r = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      r.add(new double[] {after.get(i)[0] / before.get(i)[0]});
    }
    return median(r, 0);
  }

  private static String rates(List<double[]> rounds) {
    return String.join(", ", rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", r[0])).toList());
  }
}
