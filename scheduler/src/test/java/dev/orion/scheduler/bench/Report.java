package dev.orion.scheduler.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Prints a benchmark's section and appends it to docs/benchmarks.md. */
final class Report {
  private Report() {}

  static void append(Path file, String title, String command, String setup, String body) throws IOException {
    String section = "\n## " + title + "\n\n"
        + "- date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n"
        + "- machine: " + Machine.describe() + "\n"
        + "- command: `" + command + "`\n"
        + "- setup: " + setup + "\n\n"
        + body;
    System.out.print(section);
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!Files.exists(file)) {
      Files.writeString(file, "# Benchmarks\n\nFigures recorded by the scripts under `bench/`.\n");
    }
    Files.writeString(file, section, StandardOpenOption.APPEND);
  }

  /** p50, p95 and max of durations in milliseconds, as a table row fragment. */
  static String percentiles(List<Long> millis) {
    List<Long> s = new ArrayList<>(millis);
    Collections.sort(s);
    return String.format(Locale.ROOT, "%d | %d | %d | %d", s.size(), pick(s, 50), pick(s, 95), s.get(s.size() - 1));
  }

  static long pick(List<Long> sorted, int percentile) {
    int i = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
