package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemStatsTest {
  @TempDir Path proc;

  @Test
  void cpuIsTheBusyShareSinceTheLastSample() throws Exception {
    SystemStats s = new SystemStats(proc);
    Files.writeString(proc.resolve("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
    assertEquals(20.0, s.cpuPercent()); // since boot: 200 busy of 1000
    Files.writeString(proc.resolve("stat"), "cpu  175 0 100 725 100 0 0 0 0 0\n");
    assertEquals(75.0, s.cpuPercent()); // 75 busy of 100 since the last call
    assertEquals(0.0, s.cpuPercent(), "no time passed");
  }

  @Test
  void memoryIsWhatIsNotAvailable() throws Exception {
    Files.writeString(proc.resolve("meminfo"), "MemTotal:  1000 kB\nMemFree:  100 kB\nMemAvailable:  250 kB\n");
    assertEquals(75.0, new SystemStats(proc).memPercent());
  }

  @Test
  void readsTheRealProc() throws Exception {
    SystemStats s = new SystemStats(Path.of("/proc"));
    double cpu = s.cpuPercent();
    double mem = s.memPercent();
    assertTrue(cpu >= 0 && cpu <= 100, "cpu " + cpu);
    assertTrue(mem > 0 && mem <= 100, "mem " + mem);
  }
}
