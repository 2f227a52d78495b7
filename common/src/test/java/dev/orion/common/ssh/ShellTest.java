package dev.orion.common.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShellTest {
  @Test
  void quotedValuesReachTheCommandUnchanged() throws Exception {
    String[] nasty = {"", "plain", "it's", "'", "''", "$(touch /tmp/pwned)", "`id`", "a b\tc\nd", "$6$salt$hash",
        "\\", "!x", "*", "-n", "ünï"};
    for (String v : nasty) {
      Process p = new ProcessBuilder("bash", "-c", "printf %s " + Shell.quote(v)).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor());
      assertEquals(v, out);
    }
  }

  @Test
  void refusesNul() {
    assertThrows(IllegalArgumentException.class, () -> Shell.quote("a\0b"));
  }
}
