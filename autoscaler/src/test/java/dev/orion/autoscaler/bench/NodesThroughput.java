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
 * Requests per second of the authenticated node list (as a user, and as an admin who sees every
 * field) against the Javalin hello-world, direct and through Caddy, measured with wrk (C, epoll,
 * OpenSSL) so that the figures are the servers' and not the load generator's. wrk sends no
 * Accept-Encoding, so bodies travel uncompressed to it; it does not verify the TLS certificate.
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

  /** The targets; the "through Caddy" ones share the edge and differ by the pool's upstream. */
  record Urls(String nodesDirect, String helloDirect, String nodesCaddy, String helloCaddy) {}

  /** Points the pool at one upstream: the API or the hello-world. */
  interface Upstream {
    void select() throws Exception;
  }

  private record Target(String name, String url, String token, Upstream upstream) {}

  private NodesThroughput() {}

  /** How the figures are taken, for the report's setup line. */
  static String method() {
    return CONNECTIONS + " keep-alive connections from wrk (" + wrkVersion() + ", 2 threads, no"
        + " Accept-Encoding so bodies are uncompressed), " + WARM_UP.toSeconds() + " s warm-up per"
        + " target, then " + ROUNDS + " rounds of " + MEASURE.toSeconds() + " s per target,"
        + " alternating targets";
  }

  /**
   * The report's table rows and a line with every round's figures. {@code user} is the caller of
   * the measured rows; {@code admin} sees every field of every node (about twice the bytes) and is
   * measured alongside for reference.
   */
  static String measure(Urls urls, String user, String admin, Upstream api, Upstream hello)
      throws Exception {
    // Each list is measured next to the hello-world it is compared with.
    List<Target> targets = List.of(
        new Target("nodes direct", urls.nodesDirect(), user, null),
        new Target("hello direct", urls.helloDirect(), null, null),
        new Target("admin's nodes direct", urls.nodesDirect(), admin, null),
        new Target("nodes through Caddy", urls.nodesCaddy(), user, api),
        new Target("hello through Caddy", urls.helloCaddy(), null, hello),
        new Target("admin's nodes through Caddy", urls.nodesCaddy(), admin, api));
    for (Target t : targets) {
      run(t, WARM_UP);
    }
    double[][] r = new double[targets.size()][ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      for (int k = 0; k < targets.size(); k++) {
        r[k][i] = rps(run(targets.get(k), MEASURE), targets.get(k).name());
      }
    }
    StringBuilder rows = new StringBuilder();
    rows.append(row("authenticated GET /api/nodes (100 nodes), direct", r[0],
        ratio(r[0], r[1], "of hello-world direct (target >= 50%)")));
    rows.append(row("authenticated GET /api/nodes (100 nodes), through Caddy", r[3],
        ratio(r[3], r[4], "of hello-world through Caddy (target >= 80%)")));
    rows.append(row("Javalin hello-world, direct", r[1], ""));
    rows.append(row("Javalin hello-world, through Caddy", r[4], ""));
    rows.append(row("same, as an admin (every field), direct", r[2],
        ratio(r[2], r[1], "of hello-world direct")));
    rows.append(row("same, as an admin (every field), through Caddy", r[5],
        ratio(r[5], r[4], "of hello-world through Caddy")));
    rows.append("\nEach rate is the median of " + ROUNDS + " rounds and each percentage the median"
        + " of the rounds' own ratios; every round:");
    for (int i = 0; i < ROUNDS; i++) {
      rows.append(i == 0 ? " " : "; ");
      for (int k = 0; k < targets.size(); k++) {
        rows.append(k == 0 ? "" : ", ").append(targets.get(k).name())
            .append(String.format(Locale.ROOT, " %.0f", r[k][i]));
      }
    }
    return rows.append(".\n").toString();
  }

  /** The median of the rounds' own ratios: each ratio is taken between neighbouring measurements. */
  private static String ratio(double[] rates, double[] baseline, String what) {
    double[] ratios = new double[rates.length];
    for (int i = 0; i < rates.length; i++) {
      ratios[i] = rates[i] / baseline[i];
    }
    return String.format(Locale.ROOT, "%.0f%% %s", 100 * median(ratios), what);
  }

  private static String row(String what, double[] rates, String note) {
    return String.format(Locale.ROOT, "| %s | %.0f | %s |%n", what, median(rates), note);
  }

  /** Runs wrk against {@code t} for {@code d}, first pointing the pool at its upstream if it has one. */
  private static String run(Target t, Duration d) throws Exception {
    if (t.upstream() != null) {
      t.upstream().select();
    }
    return wrk(t.url(), t.token(), d);
  }

  private static double rps(String out, String name) {
    Matcher rate = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
    if (!rate.find()) {
      throw new IllegalStateException("no rate in wrk's output:\n" + out);
    }
    Matcher bad = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: .*").matcher(out);
    while (bad.find()) {
      System.out.println("warning: " + bad.group() + " for " + name);
    }
    double r = Double.parseDouble(rate.group(1));
    System.out.printf(Locale.ROOT, "%-30s %8.0f req/s%n", name, r);
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
