package dev.orion.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.testkit.SandboxWorker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bench/console.sh: the console in headless Chromium against one API replica (direct, no edge)
 * holding {@code nodes} workers: 2 sandbox workers that can be rented and the rest registered
 * nodes with made-up host keys, left unscrubbed so no rent picks them. Figures:
 * <ul>
 *   <li>overview: navigation start to the worker list on screen (the page's own
 *       {@code orion-workers-shown} mark), with Navigation Timing and first contentful paint, and
 *       the bytes transferred (navigation plus every resource and API call), cold (browser cache
 *       cleared) and warm;
 *   <li>live rent: a rent made with curl until its row is in the open page, from the
 *       request's start and from its answer (the page's clock and this process's are the same).
 * </ul>
 * Prints the figures and appends a dated run to the file given.
 */
public final class ConsoleBench {
  private ConsoleBench() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path out = args.length > 2 ? Path.of(args[2]) : null;
    List<SandboxWorker> workers = new ArrayList<>();
    try (ApiHarness api = ApiHarness.start()) {
      for (int i = 0; i < 2; i++) {
        SandboxWorker w = SandboxWorker.start("cbench-" + i);
        workers.add(w);
        api.register(w);
      }
      for (int i = workers.size(); i < nodes; i++) {
        api.register(String.format("bench-node-%04d", i), 20000 + i, TestKeys.ed25519());
      }
      String base = "http://localhost:" + api.app.port();
      String user = "bench" + System.nanoTime();
      String password = "password-" + user;
      api.http.post("/api/signup", null, Http.json(Map.of("username", user, "password", password)));
      String token = api.login(user, password);
      int listed = api.http.get("/api/nodes", token).json().size();

      try (Browser b = Browser.start()) {
        b.signIn(base, user, password);
        List<Map<String, Object>> cold = new ArrayList<>();
        List<Map<String, Object>> warm = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          cold.add(overview(b, base, true));
          warm.add(overview(b, base, false));
        }
        List<Long> fromRequest = new ArrayList<>();
        List<Long> fromAnswer = new ArrayList<>();
        b.find("#nav a[href='#leases']").click();
        b.waitFor(d -> b.find("#leases").isDisplayed());
        b.js("window.__seen = {};"
            + "const t = document.querySelector('#lease-table tbody');"
            + "new MutationObserver(() => { for (const r of t.querySelectorAll('tr[data-rental-id]')) {"
            + "  const id = r.dataset.rentalId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); } })"
            + ".observe(t, {childList: true, subtree: true});");
        for (int r = 0; r < rounds; r++) {
          long t0 = System.currentTimeMillis();
          Process curl = new ProcessBuilder("curl", "-sS", "-XPOST", api.url() + "/api/rent",
              "-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json",
              "-d", "{\"duration_hours\":1,\"count\":1}").start();
          String answer = new String(curl.getInputStream().readAllBytes());
          curl.waitFor();
          long t1 = System.currentTimeMillis();
          JsonNode rent = dev.orion.api.http.Json.MAPPER.readTree(answer);
          if (!rent.isArray()) {
            throw new IllegalStateException("rent failed: " + answer);
          }
          long id = rent.get(0).get("rental_id").asLong();
          Object seen = b.waitFor(Duration.ofSeconds(10), d -> b.js("return window.__seen['" + id + "'] || null"));
          long at = ((Number) seen).longValue();
          fromRequest.add(at - t0);
          fromAnswer.add(at - t1);
          api.http.post("/api/release/" + id, token, null);
          b.waitFor(d -> b.all("#lease-table tr[data-rental-id='" + id + "']").isEmpty());
        }
        String report = report(nodes, listed, cold, warm, fromRequest, fromAnswer);
        System.out.println(report);
        if (out != null) {
          Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
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
            + " dom_content_loaded: nav.domContentLoadedEventEnd,"
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

  private static String report(int nodes, int listed, List<Map<String, Object>> cold, List<Map<String, Object>> warm,
      List<Long> fromRequest, List<Long> fromAnswer) throws IOException {
    String load = Files.readString(Path.of("/proc/loadavg")).strip().split(" ", 4)[0] + " "
        + Files.readString(Path.of("/proc/loadavg")).strip().split(" ")[1] + " "
        + Files.readString(Path.of("/proc/loadavg")).strip().split(" ")[2];
    StringBuilder s = new StringBuilder();
    s.append("\n## Console with ").append(String.format("%,d", nodes)).append(" workers, one replica, direct (bench/console.sh)\n\n");
    s.append(Instant.now().toString(), 0, 16).append("Z. ");
    s.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
        .append(cpu()).append("). ");
    s.append("Command: `bench/console.sh ").append(nodes).append(' ').append(cold.size()).append("`. One API replica,")
        .append(" direct (no Caddy), embedded MariaDB; ").append(listed).append(" workers in GET /api/nodes (2 sandbox")
        .append(" workers, the rest registered nodes); Debian's Chromium headless, window 1400×1000. Load average at the")
        .append(" end: ").append(load).append(".\n\n");
    s.append("| figure | cold (cache cleared) | warm |\n|---|---|---|\n");
    s.append("| navigation → worker list shown | ").append(ms(field(cold, "shown"))).append(" | ")
        .append(ms(field(warm, "shown"))).append(" |\n");
    s.append("| first contentful paint | ").append(ms(field(cold, "fcp"))).append(" | ")
        .append(ms(field(warm, "fcp"))).append(" |\n");
    s.append("| DOMContentLoaded | ").append(ms(field(cold, "dom_content_loaded"))).append(" | ")
        .append(ms(field(warm, "dom_content_loaded"))).append(" |\n");
    s.append(String.format("| bytes transferred (page, assets, API calls) | %.0f | %.0f |%n",
        median(field(cold, "bytes")), median(field(warm, "bytes"))));
    s.append(String.format("| of which GET /api/nodes | %.0f | %.0f |%n",
        median(field(cold, "nodes_bytes")), median(field(warm, "nodes_bytes"))));
    s.append(String.format("| rows shown | %.0f | %.0f |%n%n", median(field(cold, "rows")), median(field(warm, "rows"))));
    s.append("Rent with curl → row in the open page (").append(fromRequest.size()).append(" rents): ")
        .append(ms(fromRequest.stream().map(Long::doubleValue).toList())).append(" from the request's start; ")
        .append(ms(fromAnswer.stream().map(Long::doubleValue).toList())).append(" from its answer.\n");
    return s.toString();
  }
}
