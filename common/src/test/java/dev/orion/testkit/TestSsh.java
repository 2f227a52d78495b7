package dev.orion.testkit;

import dev.orion.common.ssh.SshConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The control plane's admin key pair for tests: one ed25519 pair per test JVM under
 * {@code target/}, installed into every {@link SandboxWorker} this JVM starts.
 */
public final class TestSsh {
  private static Path privateKey;

  private TestSsh() {}

  /** The admin private key (OpenSSH format, no passphrase). */
  public static synchronized Path adminKey() {
    if (privateKey == null) {
      Path dir = Path.of("target", "test-ssh-" + ProcessHandle.current().pid()).toAbsolutePath();
      Path key = dir.resolve("admin_ed25519");
      try {
        Files.createDirectories(dir);
        Files.deleteIfExists(key); // a leftover from a run with a recycled PID would make ssh-keygen prompt
        Files.deleteIfExists(Path.of(key + ".pub"));
        Processes.run(Duration.ofSeconds(20), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "orion-test-admin",
            "-f", key.toString());
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot generate the test admin key with ssh-keygen (apt-get install openssh-client)", e);
      }
      privateKey = key;
    }
    return privateKey;
  }

  public static Path adminPublicKey() {
    return Path.of(adminKey() + ".pub");
  }

  /** Admin access as root with the test key; short connect timeout, because workers are local. */
  public static SshConfig config() {
    return new SshConfig("root", adminKey(), Duration.ofSeconds(5), Duration.ofSeconds(20));
  }
}
