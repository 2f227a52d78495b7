package dev.orion.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU and memory use from /proc. CPU is the busy share of all jiffies since the previous call
 * (the first call measures since boot), memory is 1 - MemAvailable / MemTotal.
 */
final class SystemStats {
  private final Path proc;
  private long lastTotal;
  private long lastIdle;

  SystemStats(Path proc) {
    this.proc = proc;
  }

  synchronized double cpuPercent() throws IOException {
    String cpu = Files.readAllLines(proc.resolve("stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
    String[] f = cpu.trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) { // guest time is already inside user and nice
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    long dTotal = total - lastTotal;
    long dIdle = idle - lastIdle;
    lastTotal = total;
    lastIdle = idle;
    return dTotal <= 0 ? 0.0 : round(100.0 * (dTotal - dIdle) / dTotal);
  }

  double memPercent() throws IOException {
    long total = -1;
    long available = -1;
    List<String> lines = Files.readAllLines(proc.resolve("meminfo"));
    for (String l : lines) {
      if (l.startsWith("MemTotal:")) {
        total = kb(l);
      } else if (l.startsWith("MemAvailable:")) {
        available = kb(l);
      }
    }
    if (total <= 0 || available < 0) {
      throw new IOException("MemTotal/MemAvailable missing in " + proc.resolve("meminfo"));
    }
    return round(100.0 * (total - available) / total);
  }

  private static long kb(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
