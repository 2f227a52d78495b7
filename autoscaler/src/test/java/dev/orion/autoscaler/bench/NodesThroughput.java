package dev.orion.autoscaler.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests per second of the authenticated node list against the Javalin hello-world, direct and
 * through Caddy, measured with wrk (C, epoll, OpenSSL) so that the figures are the servers' and
 * not the load generator's. wrk sends no Accept-Encoding, so bodies travel uncompressed to it; it
 * does not verify the TLS certificate.
 */
final class NodesThroughput {
  private static final int CONNECTIONS = 16;
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  private static final Duration MEASURE = Duration.ofSeconds(2);
  /**
   * Rounds alternating the API and the hello-world. This machine's speed drifts by tens of percent
   * from one minute to the next, so each ratio is taken within a round, between neighbouring
   * measurements, and the median over the rounds is reported.
   */
  private static final int ROUNDS = 10;
  private static final String[] NAMES =
      {"nodes direct", "hello direct", "nodes through Caddy", "hello through Caddy"};

  /** The four targets; the two "through Caddy" ones share the edge and differ by the pool's upstream. */
  record Urls(String nodesDirect, String helloDirect, String nodesCaddy, String helloCaddy) {}

  /** Points the pool at one upstream: the API or the hello-world. */
  interface Upstream {
    void select() throws Exception;
  }

  private NodesThroughput() {}

  /** How the figures are taken, for the report's setup line. */
  static String method() {
    return CONNECTIONS + " keep-alive connections from wrk (" + wrkVersion() + ", 2 threads, no"
        + " Accept-Encoding so bodies are uncompressed), " + WARM_UP.toSeconds() + " s warm-up per"
        + " target, then " + ROUNDS + " rounds of " + MEASURE.toSeconds() + " s per target,"
        + " alternating targets";
  }

  /** The report's table rows and a line with every round's figures. */
  static String measure(Urls urls, String token, Upstream api, Upstream hello) throws Exception {
    wrk(urls.nodesDirect(), token, WARM_UP);
    wrk(urls.helloDirect(), null, WARM_UP);
    api.select();
    wrk(urls.nodesCaddy(), token, WARM_UP);
    hello.select();
    wrk(urls.helloCaddy(), null, WARM_UP);
    double[][] r = new double[NAMES.length][ROUNDS];
    double[] directRatio = new double[ROUNDS];
    double[] caddyRatio = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      r[0][i] = rps(urls.nodesDirect(), token);
      r[1][i] = rps(urls.helloDirect(), null);
      api.select();
      r[2][i] = rps(urls.nodesCaddy(), token);
      hello.select();
      r[3][i] = rps(urls.helloCaddy(), null);
      directRatio[i] = r[0][i] / r[1][i];
      caddyRatio[i] = r[2][i] / r[3][i];
    }
    StringBuilder rows = new StringBuilder();
    rows.append(row("authenticated GET /api/nodes (100 nodes), direct", median(r[0]),
        String.format(Locale.ROOT, "%.0f%% of hello-world direct (target >= 50%%)",
            100 * median(directRatio))));
    rows.append(row("authenticated GET /api/nodes (100 nodes), through Caddy", median(r[2]),
        String.format(Locale.ROOT, "%.0f%% of hello-world through Caddy (target >= 80%%)",
            100 * median(caddyRatio))));
    rows.append(row("Javalin hello-world, direct", median(r[1]), ""));
    rows.append(row("Javalin hello-world, through Caddy", median(r[3]), ""));
    rows.append("\nEach rate is the median of " + ROUNDS + " rounds and each percentage the median"
        + " of the rounds' own ratios; every round:");
    for (int i = 0; i < ROUNDS; i++) {
      rows.append(i == 0 ? " " : "; ");
      for (int k = 0; k < NAMES.length; k++) {
        rows.append(k == 0 ? "" : ", ").append(NAMES[k])
            .append(String.format(Locale.ROOT, " %.0f", r[k][i]));
      }
    }
    return rows.append(".\n").toString();
  }

  private static String row(String what, double rps, String note) {
    return String.format(Locale.ROOT, "| %s | %.0f | %s |%n", what, rps, note);
  }

  private static double rps(String url, String token) throws Exception {
    String out = wrk(url, token, MEASURE);
    Matcher rate = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
    if (!rate.find()) {
      throw new IllegalStateException("no rate in wrk's output:\n" + out);
    }
    Matcher bad = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: .*").matcher(out);
    while (bad.find()) {
      System.out.println("warning: " + bad.group() + " for " + url);
    }
    double r = Double.parseDouble(rate.group(1));
    System.out.printf(Locale.ROOT, "%-50s %8.0f req/s%n", url, r);
    return r;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String wrk(String url, String token, Duration d) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("wrk", "-t2", "-c" + CONNECTIONS,
        "-d" + d.toSeconds() + "s"));
    if (token != null) {
      cmd.addAll(List.of("-H", "Authorization: Bearer " + token));
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("wrk failed:\n" + out);
    }
    return out;
  }

  private static String wrkVersion() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      return new String(p.getInputStream().readAllBytes()).strip().split("\\s")[1];
    } catch (IOException | RuntimeException e) {
      return "wrk";
    }
  }
}
