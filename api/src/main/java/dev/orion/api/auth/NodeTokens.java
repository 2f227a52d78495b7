package dev.orion.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Per-node secrets: 256 random bits handed to an agent once, at its first registration, and kept
 * by the API only as their SHA-256. A fast hash is enough for a random secret of this size, and
 * the heartbeat path checks one on every request.
 */
public final class NodeTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeTokens() {}

  public static String generate() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Lowercase hex SHA-256 of the token's UTF-8 bytes: what the database stores and looks up. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present in the JDK", e);
    }
  }
}
