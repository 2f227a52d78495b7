package dev.orion.common.lease;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.ssh.SshConfig;
import java.time.Duration;

/**
 * How long a lease may stay provisioning before it counts as stranded ({@code ORION_RESCUE_AFTER},
 * 2 minutes): the schedulers' rescue ends it then, and the API's reset leaves younger ones to the
 * rent in flight. One name and one rule for both processes, so they cannot disagree about which
 * rent is alive.
 */
public final class RescueBound {
  public static final String NAME = "ORION_RESCUE_AFTER";
  public static final Duration DEFAULT = Duration.ofMinutes(2);

  private RescueBound() {}

  /**
   * Reads the bound and checks it against this process's SSH timeouts: it must exceed twice what
   * one rent's SSH step may take (connect plus command), so a live rent is never rescued.
   *
   * @param ssh this process's SSH settings, or null for a process without SSH access
   */
  public static Duration from(Env env, SshConfig ssh) {
    Duration bound = env.duration(NAME, DEFAULT);
    check(bound, ssh);
    return bound;
  }

  public static void check(Duration bound, SshConfig ssh) {
    if (ssh == null) {
      return;
    }
    Duration rent = ssh.connectTimeout().plus(ssh.commandTimeout());
    if (bound.compareTo(rent.multipliedBy(2)) <= 0) {
      throw new ConfigException(NAME, "must exceed twice what one rent's SSH step may take"
          + " (ORION_SSH_CONNECT_TIMEOUT + ORION_SSH_COMMAND_TIMEOUT = " + rent + "), got " + bound
          + ": a live rent must never be rescued");
    }
  }
}
