package dev.orion.common.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostKeysTest {
  @TempDir Path tmp;

  @Test
  void fingerprintIsWhatSshKeygenPrints() throws Exception {
    for (String type : new String[] {"ed25519", "rsa", "ecdsa"}) {
      Path key = tmp.resolve(type);
      run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "me@host", "-f", key.toString());
      String line = Files.readString(Path.of(key + ".pub")).strip();
      String expected = run("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").split(" ")[1];

      assertEquals(expected, HostKeys.fingerprint(line), type);
      assertEquals(expected, HostKeys.fingerprint(line.substring(0, line.lastIndexOf(' '))), type + " without comment");
    }
  }

  @Test
  void typeIsTheFirstWord() {
    assertEquals("ssh-ed25519", HostKeys.type(ED25519));
  }

  @Test
  void rejectsWhatIsNotAKeyLineWithAReason() {
    assertMessage("no SSH public key", null);
    assertMessage("no SSH public key", "  ");
    assertMessage("looks like", "ssh-ed25519");
    assertMessage("not valid base64", "ssh-ed25519 %%%%");
    assertMessage("not a parseable", "ssh-ed25519 aGVsbG8=");
    assertMessage("single line", ED25519 + "\nssh-ed25519 AAAA");
    assertMessage("control character U+0000", ED25519 + " x\u0000");
    assertMessage("control character U+001B", ED25519 + " \u001b[2J");
    assertMessage("control character U+0009", ED25519.replace(" ", "\t"));
    assertMessage("says 'ssh-rsa' but its data is a ssh-ed25519", ED25519.replace("ssh-ed25519", "ssh-rsa"));
    assertMessage("longer than", "ssh-ed25519 " + "A".repeat(20_000));
  }

  private static void assertMessage(String part, String line) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostKeys.validate(line));
    assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should contain '" + part + "'");
  }

  static final String ED25519 =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII9IagXQt1LB2g0EUflbNjGL7A+s9GfQ0zWuB4Iq613b root@vm";

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
