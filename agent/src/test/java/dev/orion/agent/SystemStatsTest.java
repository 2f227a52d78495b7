package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemStatsTest {
  static final long GIB = 1L << 30;
  @TempDir Path proc;
  @TempDir Path fs;
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  /** A machine with 8 GiB, one v1 hierarchy per controller and a v2 mount beside them. */
  void machine(String cgroupFile, String mountRoot) throws Exception {
    write(proc.resolve("meminfo"), "MemTotal:  8388608 kB\nMemAvailable:  4194304 kB\n");
    write(proc.resolve("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\n");
    write(proc.resolve("self/cgroup"), cgroupFile);
    StringBuilder mi = new StringBuilder("31 23 0:28 / " + fs + " rw - tmpfs tmpfs rw\n");
    int id = 32;
    for (String c : List.of("cpu", "cpuacct", "memory")) {
      mi.append(id++).append(" 31 0:").append(id).append(' ').append(mountRoot).append(' ')
          .append(fs.resolve(c)).append(" rw,relatime - cgroup cgroup rw,").append(c).append('\n');
    }
    mi.append(id).append(" 31 0:40 ").append(mountRoot).append(' ').append(fs.resolve("unified"))
        .append(" rw - cgroup2 cgroup2 rw\n");
    write(proc.resolve("self/mountinfo"), mi.toString());
  }

  SystemStats detect() throws Exception {
    return SystemStats.detect(proc, Cgroups.of(proc), nanos::get);
  }

  @Test
  void cpuIsTheBusyShareSinceTheLastSample() throws Exception {
    SystemStats s = new SystemStats(proc);
    write(proc.resolve("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
    assertEquals(20.0, s.cpuPercent()); // since boot: 200 busy of 1000
    write(proc.resolve("stat"), "cpu  175 0 100 725 100 0 0 0 0 0\n");
    assertEquals(75.0, s.cpuPercent()); // 75 busy of 100 since the last call
    assertEquals(0.0, s.cpuPercent(), "no time passed");
  }

  @Test
  void memoryIsWhatIsNotAvailable() throws Exception {
    write(proc.resolve("meminfo"), "MemTotal:  1000 kB\nMemFree:  100 kB\nMemAvailable:  250 kB\n");
    assertEquals(75.0, new SystemStats(proc).memPercent());
  }

  @Test
  void aV1CgroupWithLimitsIsMeasuredAgainstThem() throws Exception {
    machine("4:memory:/orion/w1\n3:cpuacct:/orion/w1\n2:cpu:/orion/w1\n0::/\n", "/");
    Path cpu = fs.resolve("cpu/orion/w1");
    Path acct = fs.resolve("cpuacct/orion/w1");
    Path mem = fs.resolve("memory/orion/w1");
    write(cpu.resolve("cpu.cfs_quota_us"), "50000\n"); // half a core
    write(cpu.resolve("cpu.cfs_period_us"), "100000\n");
    write(acct.resolve("cpuacct.usage"), "5000000000\n");
    write(mem.resolve("memory.limit_in_bytes"), GIB + "\n");
    write(mem.resolve("memory.usage_in_bytes"), (600L << 20) + "\n");
    write(mem.resolve("memory.stat"), "cache 1\ntotal_inactive_file " + (88L << 20) + "\n");
    SystemStats s = detect();
    assertEquals("cgroup-v1", s.source());
    s.cpuPercent();
    nanos.addAndGet(1_000_000_000L);
    write(acct.resolve("cpuacct.usage"), "5250000000\n"); // 0.25 s busy in 1 s of half a core
    assertEquals(50.0, s.cpuPercent());
    assertEquals(50.0, s.memPercent(), "512 MiB of 1 GiB once page cache is left out");
  }

  @Test
  void aV2CgroupInAContainerIsMeasuredAgainstItsLimits() throws Exception {
    machine("0::/docker/abc\n", "/docker/abc"); // the container sees its own cgroup as the mount root
    Path u = fs.resolve("unified");
    write(u.resolve("cpu.max"), "200000 100000\n"); // two cores
    write(u.resolve("cpu.stat"), "usage_usec 1000000\nuser_usec 1\n");
    write(u.resolve("memory.max"), (2 * GIB) + "\n");
    write(u.resolve("memory.current"), GIB + "\n");
    write(u.resolve("memory.stat"), "anon 1\ninactive_file 0\n");
    SystemStats s = detect();
    assertEquals("cgroup-v2", s.source());
    s.cpuPercent();
    nanos.addAndGet(500_000_000L);
    write(u.resolve("cpu.stat"), "usage_usec 1750000\n"); // 0.75 s busy in 0.5 s of two cores
    assertEquals(75.0, s.cpuPercent());
    assertEquals(50.0, s.memPercent());
  }

  @Test
  void aCgroupWithoutLimitsIsNotTheWorker() throws Exception {
    machine("4:memory:/system.slice/agent\n3:cpuacct:/system.slice/agent\n2:cpu:/system.slice/agent\n"
        + "0::/system.slice/agent\n", "/");
    write(fs.resolve("cpu/system.slice/agent/cpu.cfs_quota_us"), "-1\n");
    write(fs.resolve("cpu/system.slice/agent/cpu.cfs_period_us"), "100000\n");
    write(fs.resolve("cpuacct/system.slice/agent/cpuacct.usage"), "1\n");
    write(fs.resolve("memory/system.slice/agent/memory.limit_in_bytes"), "9223372036854771712\n");
    write(fs.resolve("unified/system.slice/agent/cpu.max"), "max 100000\n");
    write(fs.resolve("unified/system.slice/agent/memory.max"), "max\n");
    SystemStats s = detect();
    assertEquals("proc", s.source());
    assertEquals(50.0, s.memPercent(), "from /proc/meminfo");
  }

  @Test
  void readsTheRealMachine() throws Exception {
    Cgroups real = Cgroups.of(Path.of("/proc"));
    assertTrue(real.v1("memory").or(real::v2).map(Files::isDirectory).orElse(false),
        "this process's memory cgroup is found on this machine");
    SystemStats s = SystemStats.detect(Path.of("/proc"));
    double cpu = s.cpuPercent();
    double mem = s.memPercent();
    assertTrue(List.of("proc", "cgroup-v1", "cgroup-v2").contains(s.source()), s.source());
    assertTrue(cpu >= 0 && cpu <= 100, "cpu " + cpu);
    assertTrue(mem > 0 && mem <= 100, "mem " + mem);
  }
}
