package dev.orion.common.ssh;

import java.io.IOException;
import java.nio.file.Path;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/** Loads the admin private key once, at start, so a bad key fails the service immediately. */
final class AdminKey {
  private AdminKey() {}

  static KeyProvider load(DefaultConfig config, Path file) {
    try (SSHClient loader = new SSHClient(config)) {
      KeyProvider lazy = loader.loadKeys(file.toString());
      // Parsed here, once; the wrapper is immutable and safe to share between connections.
      return new KeyPairWrapper(lazy.getPublic(), lazy.getPrivate());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the SSH admin private key " + file.toAbsolutePath()
          + " (an unencrypted OpenSSH or PEM key is expected): " + e.getMessage(), e);
    }
  }
}
