package dev.orion.scheduler.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine a benchmark ran on. */
final class Machine {
  private Machine() {}

  static String describe() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
    } catch (Exception ignored) {
      // not Linux: the CPU name is only informative
    }
    long memGiB = 0;
    try {
      memGiB = Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(0L);
    } catch (Exception ignored) {
      // as above
    }
    String load = "";
    try {
      load = ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0]
          + " when recorded (machine shared with other builds)";
    } catch (Exception ignored) {
      // as above
    }
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memGiB
        + " GiB, Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name")
        + " " + System.getProperty("os.version") + load;
  }
}
