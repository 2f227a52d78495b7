package dev.orion.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker ({@code promtool}, Debian package {@code prometheus}), run on what
 * Orion serves or ships: metrics exposition, Prometheus configuration and rules.
 */
public final class Promtool {
  private Promtool() {}

  public record Result(int exit, String output) {}

  /** {@code promtool check metrics} on an exposition; fails the test with promtool's findings. */
  public static void checkMetrics(String exposition) {
    Result r = run(List.of("promtool", "check", "metrics"), exposition);
    if (r.exit() != 0 || !r.output().isBlank()) {
      throw new AssertionError("promtool check metrics: exit " + r.exit() + "\n" + r.output());
    }
  }

  /** Runs a checker ({@code promtool} or {@code amtool}) with {@code stdin}, output merged. */
  public static Result run(List<String> command, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is not installed (apt-get install -y "
          + (command.get(0).equals("amtool") ? "prometheus-alertmanager" : "prometheus") + ")", e);
    }
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new AssertionError(command + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(command + " interrupted", e);
    }
  }
}
