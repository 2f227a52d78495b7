package dev.orion.common.ssh;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordCryptTest {
  @Test
  void sha512CryptWithARandomSalt() {
    String a = PasswordCrypt.sha512("correct horse");
    String b = PasswordCrypt.sha512("correct horse");

    assertTrue(a.matches("\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}"), a);
    assertNotEquals(a, b, "each hash gets its own salt");
    assertTrue(PasswordCrypt.matches("correct horse", a));
    assertTrue(PasswordCrypt.matches("correct horse", b));
    assertFalse(PasswordCrypt.matches("correct horse!", a));
  }
}
