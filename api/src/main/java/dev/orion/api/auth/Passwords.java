package dev.orion.api.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/** Account passwords, stored as bcrypt hashes only. */
final class Passwords {
  private static final int COST = 10;
  // Compared against when the user does not exist, so a login costs the same either way.
  private static final String DUMMY = hash("not-a-real-password");

  private Passwords() {}

  static String hash(String plain) {
    return BCrypt.withDefaults().hashToString(COST, plain.toCharArray());
  }

  static boolean matches(String plain, String hash) {
    return BCrypt.verifyer().verify(plain.getBytes(StandardCharsets.UTF_8),
        (hash == null ? DUMMY : hash).getBytes(StandardCharsets.UTF_8)).verified && hash != null;
  }
}
