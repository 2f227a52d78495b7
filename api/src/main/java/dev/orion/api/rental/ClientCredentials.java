package dev.orion.api.rental;

import java.security.SecureRandom;
import java.util.Locale;

/** Derives the Linux account a client gets on a worker, and generates passwords for it. */
public final class ClientCredentials {
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final int PASSWORD_LENGTH = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClientCredentials() {}

  /**
   * {@code c_} plus the account name in lower case with '.' as '_': a valid Linux user name
   * (at most 32 characters) that cannot collide with a system account.
   */
  public static String userName(String accountName) {
    String base = accountName.toLowerCase(Locale.ROOT).replace('.', '_');
    String name = "c_" + base;
    return name.length() > 32 ? name.substring(0, 32) : name;
  }

  public static String randomPassword() {
    StringBuilder sb = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
