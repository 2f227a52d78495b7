package dev.orion.autoscaler.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatTest {
  @Test
  void readsUserPlusSystemTicks() {
    String line = "4242 (java) S 1 4242 4242 0 -1 4194560 12000 0 3 0 1500 250 0 0 20 0 31 0 "
        + "123456 3000000000 40000 18446744073709551615 1 1 0 0 0 0 0 4096 16796879 0 0 0 17 1";
    assertEquals(1750, ProcStat.cpuTicks(line));
  }

  @Test
  void commandNamesWithSpacesAndParenthesesDoNotShiftFields() {
    String line = "77 (my (odd) name) R 1 77 77 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 1 1";
    assertEquals(15, ProcStat.cpuTicks(line));
  }

  @Test
  void refusesWhatIsNotAStatLine() {
    assertThrows(IllegalArgumentException.class, () -> ProcStat.cpuTicks("garbage"));
  }

  @Test
  void percentIsTicksOverWallTime() {
    // 150 ticks at 100 Hz = 1.5 s of CPU in 1 s of wall time: one and a half cores.
    assertEquals(150.0, ProcStat.percent(100, 0, 250, 1_000_000_000L, 100), 1e-9);
    assertEquals(0.0, ProcStat.percent(100, 5, 100, 5, 100), "no wall time, no reading");
  }

  @Test
  void readsThisVeryProcess() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    assertTrue(ProcStat.cpuTicks(stat) > 0, "a running JVM has used some CPU");
  }
}
