package dev.orion.autoscaler.bench;

import dev.orion.autoscaler.e2e.ApiClient;
import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heartbeat ingest of one API replica, measured directly (no Caddy): N simulated agents, each
 * enrolled for its own node token, send heartbeats as fast as wrk can (16 connections, tokens
 * taken in turn). Alternating rounds of the same run: heartbeats with load figures (the node
 * row plus the node's smoothed load and class) against heartbeats without them (the node row
 * alone, the baseline). Reports heartbeats/s and the API's CPU per 1,000 heartbeats (utime +
 * stime of the API process from /proc), and appends them to docs/benchmarks.md.
 */
public final class HeartbeatBench {
  private HeartbeatBench() {}

  public static void main(String[] args) throws Exception {
    int agents = BenchRun.intArg(args, 1, 10_000);
    int rounds = BenchRun.intArg(args, 2, 3);
    BenchRun run = BenchRun.start(args, "heartbeat-bench", 40);
    Path home = run.home();
    ApiProcesses api = run.api();
    // Two replicas of the same build on the one database, used one at a time: the default, which
    // queues load figures and folds them in batches, and one folding each heartbeat at once
    // (ORION_LOAD_FLUSH_INTERVAL=0, the code path before batching), so before and after are
    // measured side by side in one run.
    Replica batched = Replica.start(api, home, "batched", null);
    Replica perBeat = null;
    try {
      awaitReady(batched.base()); // it migrates; the other only validates
      perBeat = Replica.start(api, home, "per-heartbeat", "0");
      awaitReady(perBeat.base());
      List<String[]> nodes = enroll(api, batched.base(), agents); // {hostname, token}
      Path withLoad = script(home, nodes, true);
      Path withoutLoad = script(home, nodes, false);
      List<double[]> loaded = new ArrayList<>();
      List<double[]> before = new ArrayList<>();
      List<double[]> bare = new ArrayList<>();
      wrk(batched.base(), withLoad, batched.pid(), 3); // warm-up
      wrk(perBeat.base(), withLoad, perBeat.pid(), 3);
      wrk(batched.base(), withoutLoad, batched.pid(), 3);
      for (int r = 0; r < rounds; r++) {
        bare.add(wrk(batched.base(), withoutLoad, batched.pid(), 10));
        before.add(wrk(perBeat.base(), withLoad, perBeat.pid(), 10));
        loaded.add(wrk(batched.base(), withLoad, batched.pid(), 10));
      }
      String section = String.format(Locale.ROOT, """

          ## Heartbeat ingest, one replica, direct (bench/heartbeats.sh)

          - date: %s
          - machine: %s
          - command: `bench/heartbeats.sh %d %d`
          - setup: embedded MariaDB 11.4 and two API processes of the same build (`dev.orion.api.ApiMain`,
            -Xmx256m, serial GC, 16 database connections each), used one at a time: one with the default
            load folding (figures queued, folded every ORION_LOAD_FLUSH_INTERVAL = 200 ms in one batch),
            one folding each heartbeat at once (ORION_LOAD_FLUSH_INTERVAL=0, as before batching); %d agents
            enrolled, each with its own node token; wrk, 16 connections, each request the next agent's
            heartbeat; %d rounds of 10 s, the three kinds alternating within each round; API CPU from
            /proc/PID/stat of the process measured. Target: >= 2,000 heartbeats/s on 2 cores.

          | heartbeat | heartbeats/s (median) | API CPU per 1,000/s (cores) | rounds (heartbeats/s) |
          |---|---|---|---|
          | with load figures, folded in batches (after) | %.0f | %.2f | %s |
          | with load figures, folded one heartbeat at a time (before) | %.0f | %.2f | %s |
          | without load figures (node row only; baseline) | %.0f | %.2f | %s |
          """, run.started(), EdgeBench.machine(), agents, rounds, agents, rounds,
          median(loaded, 0), median(loaded, 1), rates(loaded), median(before, 0), median(before, 1), rates(before),
          median(bare, 0), median(bare, 1), rates(bare));
      System.out.print(section);
      Files.writeString(run.report(), section, StandardOpenOption.APPEND);
    } finally {
      batched.stop();
      if (perBeat != null) {
        perBeat.stop();
      }
    }
    System.exit(0);
  }

  /** One API process of the benchmark, on a free port, its log in the bench's directory. */
  record Replica(Process process, String base) {
    static Replica start(ApiProcesses api, Path home, String name, String flushInterval) throws Exception {
      int port = Ports.free();
      ProcessBuilder pb = new ProcessBuilder(ApiProcesses.command(ApiProcesses.API_MAIN)).redirectErrorStream(true)
          .redirectOutput(home.resolve("api-" + name + ".log").toFile());
      pb.environment().putAll(api.env());
      pb.environment().put("ORION_HTTP_PORT", Integer.toString(port));
      pb.environment().put("ORION_METRICS_PORT", "0");
      pb.environment().put("ORION_DB_POOL_SIZE", "16");
      if (flushInterval != null) {
        pb.environment().put("ORION_LOAD_FLUSH_INTERVAL", flushInterval);
        pb.environment().put("ORION_DB_MIGRATE", "false"); // the other replica migrates
      }
      return new Replica(pb.start(), "http://127.0.0.1:" + port);
    }

    long pid() {
      return process.pid();
    }

    void stop() throws InterruptedException {
      process.destroy();
      process.waitFor();
    }
  }

  private static List<String[]> enroll(ApiProcesses api, String base, int agents) throws Exception {
    ApiClient client = new ApiClient(base, null);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<String[]>> futures = new ArrayList<>();
    Pattern token = Pattern.compile("\"node_token\":\"([^\"]+)\"");
    for (int i = 0; i < agents; i++) {
      String hostname = String.format("hb-%05d", i);
      String ip = "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256);
      futures.add(pool.submit(() -> {
        HttpResponse<String> r = client.send(client.register(api.agentToken, hostname, ip, 22, ApiClient.newHostKey()));
        Matcher m = token.matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
          throw new IllegalStateException("enrolling " + hostname + ": " + r.statusCode() + " " + r.body());
        }
        return new String[] {hostname, m.group(1)};
      }));
    }
    List<String[]> out = new ArrayList<>();
    for (Future<String[]> f : futures) {
      out.add(f.get());
    }
    pool.shutdown();
    return out;
  }

  /** A wrk script cycling over the agents: each request one agent's heartbeat with its token. */
  private static Path script(Path home, List<String[]> nodes, boolean load) throws Exception {
    List<String> bodies = nodes.stream().map(n -> load
        ? "{\"hostname\":\"" + n[0] + "\",\"cpu_percent\":42.5,\"mem_percent\":30.0,\"load_source\":\"cgroup-v1\"}"
        : "{\"hostname\":\"" + n[0] + "\"}").toList();
    return heartbeatScript(home.resolve(load ? "heartbeat-load.lua" : "heartbeat-bare.lua"),
        nodes.stream().map(n -> n[1]).toList(), bodies);
  }

  /**
   * Writes a wrk script cycling over agents: request i is a heartbeat with {@code bodies[i]} and
   * {@code tokens[i]} as its bearer token; at the end it prints the count of non-2xx answers for
   * {@link #wrk}.
   */
  static Path heartbeatScript(Path file, List<String> tokens, List<String> bodies) throws Exception {
    StringBuilder lua = new StringBuilder("local agents = {\n");
    for (int i = 0; i < tokens.size(); i++) {
      lua.append("  {\"Bearer ").append(tokens.get(i)).append("\", '").append(bodies.get(i)).append("'},\n");
    }
    lua.append("""
        }
        local i = 0
        request = function()
          i = i % #agents + 1
          local a = agents[i]
          return wrk.format("POST", "/api/workers/heartbeat",
            {["Authorization"] = a[1], ["Content-Type"] = "application/json"}, a[2])
        end
        done = function(summary, latency, requests)
          io.write(string.format("non2xx %d\\n", summary.errors.status))
        end
        """);
    Files.writeString(file, lua);
    return file;
  }

  /** One wrk round: {heartbeats/s, API cores per 1,000 heartbeats/s}. */
  static double[] wrk(String base, Path script, long apiPid, int seconds) throws Exception {
    long cpuBefore = cpuTicks(apiPid);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder("wrk", "-t2", "-c16", "-d" + seconds + "s", "-s", script.toString(), base)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (cpuTicks(apiPid) - cpuBefore) / 100.0; // USER_HZ
    Matcher rate = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
    Matcher bad = Pattern.compile("non2xx (\\d+)").matcher(out);
    if (!rate.find() || !bad.find()) {
      throw new IllegalStateException("unexpected wrk output:\n" + out);
    }
    if (Long.parseLong(bad.group(1)) > 0) {
      throw new IllegalStateException(bad.group(1) + " heartbeats were refused:\n" + out);
    }
    double perSecond = Double.parseDouble(rate.group(1));
    double cores = cpuSeconds / wall;
    return new double[] {perSecond, cores / (perSecond / 1000.0)};
  }

  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  static void awaitReady(String base) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(base + "/api/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the API did not become ready");
  }

  private static double median(List<double[]> rounds, int i) {
    List<Double> v = new ArrayList<>(rounds.stream().map(r -> r[i]).toList());
    Collections.sort(v);
    return v.get(v.size() / 2);
  }

  private static String rates(List<double[]> rounds) {
    return String.join(", ", rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", r[0])).toList());
  }
}
