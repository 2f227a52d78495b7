package dev.orion.common.ssh;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the control plane logs into workers: one admin user and private key for all of them.
 *
 * @param connectTimeout bounds TCP connect, key exchange and authentication each
 * @param commandTimeout bounds one command from session open to exit status
 */
public record SshConfig(String adminUser, Path adminKey, Duration connectTimeout, Duration commandTimeout) {
  public SshConfig {
    Objects.requireNonNull(adminUser, "adminUser");
    Objects.requireNonNull(adminKey, "adminKey");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
  }

  /**
   * Reads {@code ORION_SSH_USER} (default root), {@code ORION_SSH_KEY} (private key file,
   * required), {@code ORION_SSH_CONNECT_TIMEOUT} (5s) and {@code ORION_SSH_COMMAND_TIMEOUT} (20s).
   */
  public static SshConfig from(Env env) {
    String keyVar = "ORION_SSH_KEY";
    Path key = Path.of(env.required(keyVar));
    if (!Files.isReadable(key) || Files.isDirectory(key)) {
      throw new ConfigException(keyVar, "points to " + key.toAbsolutePath() + ", which is not a readable private key file");
    }
    return new SshConfig(
        env.string("ORION_SSH_USER", "root"),
        key,
        env.duration("ORION_SSH_CONNECT_TIMEOUT", Duration.ofSeconds(5)),
        env.duration("ORION_SSH_COMMAND_TIMEOUT", Duration.ofSeconds(20)));
  }
}
