package dev.orion.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * CPU and memory use of the worker, as a share of what the worker is allowed to use.
 *
 * <p>A worker confined by a cgroup limit (a container, a sandbox worker with its CPU and memory
 * limits) is measured from that cgroup, v2 or v1, against its limit: one busy core of a worker
 * allowed one core is 100 %, whatever the machine has. Without a limit the whole machine is the
 * worker and /proc is read: CPU is the busy share of all jiffies since the previous call (the
 * first call measures since boot), memory is 1 - MemAvailable / MemTotal. A process's cgroup
 * without a limit (a systemd service) is not the worker, so it is not used.
 */
final class SystemStats {
  private final Path proc;
  private final Optional<CgroupCpu> cgroupCpu;
  private final Optional<CgroupMemory> cgroupMemory;
  private long lastTotal;
  private long lastIdle;

  /** /proc only. */
  SystemStats(Path proc) {
    this(proc, Optional.empty(), Optional.empty());
  }

  private SystemStats(Path proc, Optional<CgroupCpu> cpu, Optional<CgroupMemory> memory) {
    this.proc = proc;
    this.cgroupCpu = cpu;
    this.cgroupMemory = memory;
  }

  /** Measures this process's cgroup where it carries a limit, /proc otherwise. */
  static SystemStats detect(Path proc) throws IOException {
    return detect(proc, Cgroups.of(proc), System::nanoTime);
  }

  static SystemStats detect(Path proc, Cgroups cgroups, LongSupplier nanoTime) throws IOException {
    long machineBytes = memTotalKb(proc) * 1024;
    return new SystemStats(proc, CgroupCpu.find(cgroups, nanoTime), CgroupMemory.find(cgroups, machineBytes));
  }

  /** {@code cgroup-v2}, {@code cgroup-v1} or {@code proc}: where the CPU figure comes from. */
  String source() {
    return cgroupCpu.map(c -> c.source).orElse("proc");
  }

  synchronized double cpuPercent() throws IOException {
    if (cgroupCpu.isPresent()) {
      return round(cgroupCpu.get().percent());
    }
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
    if (cgroupMemory.isPresent()) {
      return round(cgroupMemory.get().percent());
    }
    long total = memTotalKb(proc);
    long available = meminfo(proc, "MemAvailable:");
    if (available < 0) {
      throw new IOException("MemAvailable missing in " + proc.resolve("meminfo"));
    }
    return round(100.0 * (total - available) / total);
  }

  private static long memTotalKb(Path proc) throws IOException {
    long total = meminfo(proc, "MemTotal:");
    if (total <= 0) {
      throw new IOException("MemTotal missing in " + proc.resolve("meminfo"));
    }
    return total;
  }

  private static long meminfo(Path proc, String key) throws IOException {
    for (String l : Files.readAllLines(proc.resolve("meminfo"))) {
      if (l.startsWith(key)) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static double round(double v) {
    return Math.round(Math.max(0, Math.min(100, v)) * 10) / 10.0;
  }

  /** CPU time of a cgroup against its quota: busy nanoseconds / (wall nanoseconds × cores allowed). */
  private static final class CgroupCpu {
    final String source;
    private final Path usageFile;
    private final boolean v2;
    private final double cores;
    private final LongSupplier nanoTime;
    private long lastUsage = -1;
    private long lastWall;

    private CgroupCpu(String source, Path usageFile, boolean v2, double cores, LongSupplier nanoTime) {
      this.source = source;
      this.usageFile = usageFile;
      this.v2 = v2;
      this.cores = cores;
      this.nanoTime = nanoTime;
    }

    static Optional<CgroupCpu> find(Cgroups cgroups, LongSupplier nanoTime) throws IOException {
      Optional<Path> v2 = cgroups.v2().filter(d -> Files.isReadable(d.resolve("cpu.max")));
      if (v2.isPresent()) {
        String[] max = Files.readString(v2.get().resolve("cpu.max")).trim().split("\\s+"); // "max 100000" or "50000 100000"
        if (!max[0].equals("max")) {
          return Optional.of(new CgroupCpu("cgroup-v2", v2.get().resolve("cpu.stat"), true,
              Double.parseDouble(max[0]) / Double.parseDouble(max[1]), nanoTime));
        }
      }
      Optional<Path> cpu = cgroups.v1("cpu").filter(d -> Files.isReadable(d.resolve("cpu.cfs_quota_us")));
      Optional<Path> acct = cgroups.v1("cpuacct").filter(d -> Files.isReadable(d.resolve("cpuacct.usage")));
      if (cpu.isPresent() && acct.isPresent()) {
        long quota = Long.parseLong(Files.readString(cpu.get().resolve("cpu.cfs_quota_us")).trim());
        long period = Long.parseLong(Files.readString(cpu.get().resolve("cpu.cfs_period_us")).trim());
        if (quota > 0 && period > 0) {
          return Optional.of(new CgroupCpu("cgroup-v1", acct.get().resolve("cpuacct.usage"), false,
              (double) quota / period, nanoTime));
        }
      }
      return Optional.empty();
    }

    double percent() throws IOException {
      long usage = usageNanos();
      long wall = nanoTime.getAsLong();
      double pct = lastUsage < 0 || wall <= lastWall ? 0.0
          : 100.0 * (usage - lastUsage) / ((wall - lastWall) * cores);
      lastUsage = usage;
      lastWall = wall;
      return pct;
    }

    private long usageNanos() throws IOException {
      if (!v2) {
        return Long.parseLong(Files.readString(usageFile).trim());
      }
      for (String l : Files.readAllLines(usageFile)) {
        if (l.startsWith("usage_usec ")) {
          return Long.parseLong(l.substring(11).trim()) * 1000;
        }
      }
      throw new IOException("usage_usec missing in " + usageFile);
    }
  }

  /** Memory of a cgroup against its limit, without reclaimable page cache (as docker stats shows it). */
  private record CgroupMemory(Path usage, Path stat, String inactiveKey, long limit) {
    static Optional<CgroupMemory> find(Cgroups cgroups, long machineBytes) throws IOException {
      Optional<Path> v2 = cgroups.v2().filter(d -> Files.isReadable(d.resolve("memory.max")));
      if (v2.isPresent()) {
        String max = Files.readString(v2.get().resolve("memory.max")).trim();
        if (!max.equals("max") && Long.parseLong(max) < machineBytes) {
          return Optional.of(new CgroupMemory(v2.get().resolve("memory.current"), v2.get().resolve("memory.stat"),
              "inactive_file", Long.parseLong(max)));
        }
      }
      Optional<Path> v1 = cgroups.v1("memory").filter(d -> Files.isReadable(d.resolve("memory.limit_in_bytes")));
      if (v1.isPresent()) {
        long limit = Long.parseLong(Files.readString(v1.get().resolve("memory.limit_in_bytes")).trim());
        if (limit < machineBytes) { // "unlimited" reads as a huge number
          return Optional.of(new CgroupMemory(v1.get().resolve("memory.usage_in_bytes"),
              v1.get().resolve("memory.stat"), "total_inactive_file", limit));
        }
      }
      return Optional.empty();
    }

    double percent() throws IOException {
      long used = Long.parseLong(Files.readString(usage).trim());
      List<String> lines = Files.readAllLines(stat);
      for (String l : lines) {
        if (l.startsWith(inactiveKey + " ")) {
          used -= Long.parseLong(l.substring(inactiveKey.length() + 1).trim());
        }
      }
      return 100.0 * Math.max(0, used) / limit;
    }
  }
}
