package dev.orion.common.ssh;

import java.util.Objects;

/**
 * A client's login on a worker. Only the crypt hash of the password travels, so the same login
 * can be recreated on another worker (migration) without the plaintext ever being stored.
 *
 * @param passwordCrypt a crypt(3) hash such as {@code $6$salt$hash} (see {@link PasswordCrypt})
 * @param publicKey an OpenSSH public key line for key login, or {@code null}
 */
public record ClientAccount(String user, String passwordCrypt, String publicKey) {
  public ClientAccount {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(passwordCrypt, "passwordCrypt");
    if (!ClientAccounts.isValidUserName(user)) {
      throw new IllegalArgumentException("not a valid client user name: '" + user + "'");
    }
    // The hash is written into /etc/shadow: a ':' or a line break would corrupt the file.
    if (passwordCrypt.isEmpty() || !passwordCrypt.matches("[!-~&&[^:]]+")) {
      throw new IllegalArgumentException("passwordCrypt must be a crypt(3) hash without ':' or spaces");
    }
    if (publicKey != null) {
      HostKeys.validate(publicKey);
    }
  }

  /** Hides the hash, which is a password equivalent for offline cracking. */
  @Override
  public String toString() {
    return "ClientAccount[user=" + user + ", publicKey=" + (publicKey == null ? "none" : "set") + "]";
  }
}
