package dev.orion.common.ssh;

import java.security.SecureRandom;
import org.apache.commons.codec.digest.Crypt;

/** SHA-512 crypt hashes as {@code chpasswd -e} and {@code useradd -p} expect them. */
public final class PasswordCrypt {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] SALT_CHARS =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private PasswordCrypt() {}

  /** {@code $6$<16 random salt chars>$<hash>}; the salt comes from {@link SecureRandom}. */
  public static String sha512(String plaintext) {
    char[] salt = new char[16];
    for (int i = 0; i < salt.length; i++) {
      salt[i] = SALT_CHARS[RANDOM.nextInt(SALT_CHARS.length)];
    }
    return Crypt.crypt(plaintext, "$6$" + new String(salt));
  }

  /** Whether {@code plaintext} produces {@code hash} (same algorithm and salt). */
  public static boolean matches(String plaintext, String hash) {
    return Crypt.crypt(plaintext, hash).equals(hash);
  }
}
