package dev.orion.common.ssh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

/** OpenSSH public key lines ({@code "ssh-ed25519 AAAA... comment"}): parsing and fingerprints. */
public final class HostKeys {
  private static final int MAX_LINE = 16 * 1024;

  private HostKeys() {}

  /** {@code SHA256:<base64 without padding>} of the key blob, as {@code ssh-keygen -l} prints it. */
  public static String fingerprint(String openSshLine) {
    byte[] blob = blob(openSshLine);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present in the JDK", e);
    }
  }

  /** Throws {@link IllegalArgumentException} saying what is wrong unless the line is a usable key. */
  public static void validate(String openSshLine) {
    blob(openSshLine);
  }

  /** The key type named on the line, e.g. {@code ssh-ed25519}. */
  public static String type(String openSshLine) {
    blob(openSshLine);
    return openSshLine.strip().split("\\s+")[0];
  }

  /** Whether {@code key} (as received during key exchange) is the key on the line. */
  static boolean sameKey(String openSshLine, PublicKey key) {
    byte[] presented = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    return Arrays.equals(blob(openSshLine), presented);
  }

  /** The key blob of {@code key}, for fingerprints of keys seen on the wire. */
  static String fingerprint(PublicKey key) {
    byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    return fingerprint(KeyType.fromKey(key) + " " + Base64.getEncoder().encodeToString(blob));
  }

  /** The decoded, parsed and type-checked key blob of a line. */
  static byte[] blob(String openSshLine) {
    if (openSshLine == null || openSshLine.isBlank()) {
      throw new IllegalArgumentException("no SSH public key given");
    }
    if (openSshLine.length() > MAX_LINE) {
      throw new IllegalArgumentException("SSH public key line is longer than " + MAX_LINE + " characters");
    }
    String line = openSshLine.strip();
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("an SSH public key must be a single line");
    }
    // The line (comment included) is written into authorized_keys through a shell: a NUL or
    // another control character there breaks the quoting or the file.
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(String.format("the SSH public key line contains the control character U+%04X", (int) c));
      }
    }
    String[] parts = line.split("\\s+", 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException(
          "an SSH public key line looks like 'ssh-ed25519 AAAA... comment', got '" + abbreviate(line) + "'");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key data of the SSH public key is not valid base64");
    }
    PublicKey key;
    try {
      key = new Buffer.PlainBuffer(blob).readPublicKey();
    } catch (Exception e) {
      throw new IllegalArgumentException("the key data is not a parseable SSH public key: " + e.getMessage());
    }
    String inside = KeyType.fromKey(key).toString();
    if (!inside.equals(parts[0])) {
      throw new IllegalArgumentException(
          "the SSH public key says '" + parts[0] + "' but its data is a " + inside + " key");
    }
    return blob;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
