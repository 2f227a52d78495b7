package dev.orion.scheduler.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The local sandbox workers ({@code launch_workers.sh}): a sleeping worker's processes are killed
 * (its namespace with them: sshd, agent, the client's processes) and it is started again from
 * what was recorded at launch, on the same slot (address), port and state directory (host key,
 * the agent's node token), so it comes back as the same node. The launcher refuses a worker whose
 * recorded address and port are not the node's. Both steps are idempotent.
 */
public final class SandboxDriver implements PoolDriver {
  private final CommandDriver commands;

  /**
   * @param launcher {@code launch_workers.sh}
   * @param workersDir where the workers are recorded ({@code ORION_WORKERS_DIR}); empty for the launcher's default
   */
  public SandboxDriver(Path launcher, Optional<Path> workersDir, Duration timeout) {
    String env = workersDir.map(d -> "ORION_WORKERS_DIR=" + quote(d.toAbsolutePath().toString()) + " ").orElse("");
    String run = env + "exec " + quote(launcher.toAbsolutePath().toString());
    // The node's fields come from the environment, never spliced into the text.
    String target = " \"$NODE_HOSTNAME\" --expect \"$NODE_IP:$NODE_SSH_PORT\"";
    this.commands = new CommandDriver(run + " --suspend" + target, run + " --resume" + target, timeout);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  @Override
  public String name() {
    return "sandbox";
  }

  @Override
  public void suspend(Target node) throws DriverException, InterruptedException {
    commands.suspend(node);
  }

  @Override
  public void resume(Target node) throws DriverException, InterruptedException {
    commands.resume(node);
  }
}
