package dev.orion.autoscaler.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.api.console.Browser;
import dev.orion.autoscaler.e2e.ApiClient;
import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.autoscaler.e2e.CaddyUnderTest;
import dev.orion.autoscaler.e2e.EdgeStack;
import dev.orion.autoscaler.e2e.FreshNodes;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * bench/console.sh: the console in Debian's headless Chromium through the edge as the stack
 * serves it: the project's Caddyfile (HTTPS with Caddy's internal CA, which the browser trusts)
 * and Caddyfile.pool in front of one API replica process, started as the edge tests start them
 * ({@link EdgeStack}). The fleet is {@code nodes} workers registered through the edge's agent
 * port: 2 sandbox workers that can be rented and the rest nodes with made-up host keys, left
 * unclean so no rent picks them. Figures:
 * <ul>
 *   <li>overview: navigation start to the worker list on screen (the page's own
 *       {@code orion-workers-shown} mark), with Navigation Timing and first contentful paint, and
 *       the bytes transferred (navigation plus every resource and API call), cold (browser cache
 *       cleared) and warm; with {@code direct}, also against the replica's own port (no Caddy);
 *   <li>live rent: a rent made with curl through the edge until its row is in the open page, from
 *       the request's start and from its answer (the page's clock and this process's are the same).
 * </ul>
 * Prints the figures and appends a dated run to the file given.
 */
public final class ConsoleBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConsoleBench() {}

  /** One way to the page and its overview loads. */
  private record Way(String label, List<Map<String, Object>> cold, List<Map<String, Object>> warm) {}

  public static void main(String[] args) {
    // Exits either way, as the other benches do: a library's non-daemon thread would keep the JVM up.
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path out = Path.of(args.length > 2 ? args[2] : "docs/benchmarks.md");
    boolean direct = args.length > 3 && Boolean.parseBoolean(args[3]);
    DbConfig db = TestDb.freshConfig(40);
    Path home = CaddyUnderTest.repoRoot().resolve("autoscaler/target/console-bench-" + ProcessHandle.current().pid());
    ApiProcesses api = new ApiProcesses(db, home);
    Path adminKey = Path.of(api.env().get("ORION_SSH_KEY") + ".pub");
    List<SandboxWorker> workers = new ArrayList<>();
    try (EdgeStack stack = EdgeStack.api("console-bench",
        new ScalingPolicy(1000, 0.1, 1, 1, Duration.ofSeconds(3), 1, 1), api).startServing(1)) {
      ApiClient agents = new ApiClient("http://127.0.0.1:" + stack.caddy.agentPort, null);
      for (int i = 0; i < 2; i++) {
        SandboxWorker w = SandboxWorker.start("cbench-" + i, adminKey);
        workers.add(w);
        register(agents, api, w.name(), w.ip(), w.port(), w.hostKey());
        FreshNodes.markScrubbed(db, w.name());
      }
      for (int i = workers.size(); i < nodes; i++) {
        register(agents, api, String.format("bench-node-%04d", i), "127.0.0.1", 20000 + i, ApiClient.newHostKey());
      }
      ApiClient client = stack.client();
      String user = "bench" + System.nanoTime();
      String password = "password-" + user;
      String token = client.token(user, password);
      int listed = JSON.readTree(client.send(authorized(client.request("/api/nodes"), token)).body()).size();
      String edge = stack.caddy.https("").toString();
      String dial = stack.autoscaler.serving().get(0).dial();

      try (Browser b = Browser.trusting(stack.caddy.rootCertificate(), home.resolve("browser"))) {
        List<Way> ways = new ArrayList<>(List.of(overviews(b, "through Caddy", edge, user, password, rounds)));
        if (direct) {
          ways.add(overviews(b, "direct", "http://localhost:" + dial.substring(dial.lastIndexOf(':') + 1),
              user, password, rounds));
        }

        List<Long> fromRequest = new ArrayList<>();
        List<Long> fromAnswer = new ArrayList<>();
        b.signIn(edge, user, password);
        b.find("#nav a[href='#leases']").click();
        b.waitFor(d -> b.find("#leases").isDisplayed());
        b.js("window.__seen = {};"
            + "const t = document.querySelector('#lease-table tbody');"
            + "new MutationObserver(() => { for (const r of t.querySelectorAll('tr[data-rental-id]')) {"
            + "  const id = r.dataset.rentalId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); } })"
            + ".observe(t, {childList: true, subtree: true});");
        for (int r = 0; r < rounds; r++) {
          long t0 = System.currentTimeMillis();
          Process curl = new ProcessBuilder("curl", "-sS", "--cacert", stack.caddy.rootCertificate().toString(),
              "-XPOST", edge + "/api/rent", "-H", "Authorization: Bearer " + token,
              "-H", "Content-Type: application/json", "-d", "{\"duration_hours\":1,\"count\":1}").start();
          String answer = new String(curl.getInputStream().readAllBytes());
          curl.waitFor();
          long t1 = System.currentTimeMillis();
          JsonNode rent = JSON.readTree(answer);
          if (!rent.isArray()) {
            throw new IllegalStateException("rent failed: " + answer);
          }
          long id = rent.get(0).get("rental_id").asLong();
          Object seen = b.waitFor(Duration.ofSeconds(10), d -> b.js("return window.__seen['" + id + "'] || null"));
          long at = ((Number) seen).longValue();
          fromRequest.add(at - t0);
          fromAnswer.add(at - t1);
          client.send(authorized(client.request("/api/release/" + id), token).POST(HttpRequest.BodyPublishers.noBody()));
          b.waitFor(d -> b.all("#lease-table tr[data-rental-id='" + id + "']").isEmpty());
        }
        String report = report(nodes, rounds, direct, listed, ways, fromRequest, fromAnswer);
        System.out.println(report);
        Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  private static void register(ApiClient agents, ApiProcesses api, String hostname, String ip, int port,
      String hostKey) throws IOException, InterruptedException {
    HttpResponse<String> r = agents.send(agents.register(api.agentToken, hostname, ip, port, hostKey));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("registration of " + hostname + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static HttpRequest.Builder authorized(HttpRequest.Builder b, String token) {
    return b.header("Authorization", "Bearer " + token);
  }

  /** Signs in at {@code base}, then loads the overview {@code rounds} times cold and warm. */
  private static Way overviews(Browser b, String label, String base, String user, String password, int rounds) {
    b.signIn(base, user, password);
    Way way = new Way(label, new ArrayList<>(), new ArrayList<>());
    for (int r = 0; r < rounds; r++) {
      way.cold().add(overview(b, base, true));
      way.warm().add(overview(b, base, false));
    }
    return way;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> overview(Browser b, String base, boolean cold) {
    if (cold) {
      b.driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
    }
    b.open("about:blank");
    b.open(base + "/#overview");
    b.waitFor(Duration.ofSeconds(30), d -> b.js("return performance.getEntriesByName('orion-workers-shown').length") instanceof Number n
        && n.intValue() > 0 ? true : null);
    return (Map<String, Object>) b.js(
        "const nav = performance.getEntriesByType('navigation')[0];"
            + "const fcp = performance.getEntriesByName('first-contentful-paint')[0];"
            + "const shown = performance.getEntriesByName('orion-workers-shown')[0];"
            + "const res = performance.getEntriesByType('resource');"
            + "return {shown: shown.startTime, fcp: fcp ? fcp.startTime : -1, response_end: nav.responseEnd,"
            + " dom_content_loaded: nav.domContentLoadedEventEnd, protocol: nav.nextHopProtocol,"
            + " bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),"
            + " nodes_bytes: res.filter(r => r.name.endsWith('/api/nodes')).reduce((s, r) => s + r.transferSize, 0),"
            + " rows: document.querySelectorAll('#workers tbody tr').length};");
  }

  private static String cpu() throws IOException {
    return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
  }

  private static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  private static List<Double> field(List<Map<String, Object>> runs, String name) {
    return runs.stream().map(m -> ((Number) m.get(name)).doubleValue()).toList();
  }

  private static String ms(List<Double> v) {
    return String.format("median %.0f ms (%s)", median(v),
        String.join(", ", v.stream().map(x -> String.format("%.0f", x)).toList()));
  }

  /** A table row: the figure for every way, cold then warm. */
  private static String row(String figure, List<Way> ways, Function<List<Map<String, Object>>, String> cell) {
    StringBuilder s = new StringBuilder("| ").append(figure).append(" |");
    for (Way w : ways) {
      s.append(' ').append(cell.apply(w.cold())).append(" | ").append(cell.apply(w.warm())).append(" |");
    }
    return s.append('\n').toString();
  }

  private static String report(int nodes, int rounds, boolean direct, int listed, List<Way> ways,
      List<Long> fromRequest, List<Long> fromAnswer) throws IOException {
    String[] load = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
    StringBuilder s = new StringBuilder();
    s.append("\n## Console with ").append(String.format("%,d", nodes)).append(" workers through Caddy (bench/console.sh)\n\n");
    s.append(Instant.now().toString(), 0, 16).append("Z. ");
    s.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
        .append(cpu()).append("). ");
    s.append("Command: `bench/console.sh ").append(nodes).append(' ').append(rounds).append(direct ? " --direct" : "")
        .append("`. The project's Caddyfile and Caddyfile.pool (HTTPS with Caddy's internal CA, trusted by the browser)")
        .append(" in front of one API replica process, embedded MariaDB; ").append(listed)
        .append(" workers in GET /api/nodes (2 sandbox workers, the rest registered nodes, all through the edge's agent")
        .append(" port); Debian's Chromium headless, window 1400×1000.")
        .append(direct ? " Direct: the same replica's own port, no Caddy." : "")
        .append(" Load average at the end: ").append(load[0]).append(' ').append(load[1]).append(' ').append(load[2])
        .append(".\n\n");
    s.append("| figure |");
    for (Way w : ways) {
      s.append(' ').append(w.label()).append(", cold (cache cleared) | ").append(w.label()).append(", warm |");
    }
    s.append("\n|---|").append("---|---|".repeat(ways.size())).append('\n');
    s.append(row("navigation → worker list shown", ways, runs -> ms(field(runs, "shown"))));
    s.append(row("first contentful paint", ways, runs -> ms(field(runs, "fcp"))));
    s.append(row("DOMContentLoaded", ways, runs -> ms(field(runs, "dom_content_loaded"))));
    s.append(row("bytes transferred (page, assets, API calls)", ways,
        runs -> String.format("%.0f", median(field(runs, "bytes")))));
    s.append(row("of which GET /api/nodes", ways, runs -> String.format("%.0f", median(field(runs, "nodes_bytes")))));
    s.append(row("rows shown", ways, runs -> String.format("%.0f", median(field(runs, "rows")))));
    s.append(row("protocol of the page's request", ways, runs -> runs.stream().map(m -> String.valueOf(m.get("protocol")))
        .filter(p -> !p.isEmpty()).findFirst().orElse("(cache)")));
    s.append("\nRent with curl through Caddy → row in the open page (").append(fromRequest.size()).append(" rents): ")
        .append(ms(fromRequest.stream().map(Long::doubleValue).toList())).append(" from the request's start; ")
        .append(ms(fromAnswer.stream().map(Long::doubleValue).toList())).append(" from its answer.\n");
    return s.toString();
  }
}
