package dev.orion.scheduler.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own commands, run with {@code sh -c} on the scheduler's host with the worker in
 * the environment ({@code NODE_ID}, {@code NODE_HOSTNAME}, {@code NODE_IP}, {@code NODE_SSH_PORT}),
 * never spliced into the command text. A non-zero exit or a timeout fails the step with the
 * command's last lines of output.
 */
public final class CommandDriver implements PoolDriver {
  private static final int TAIL_LINES = 5;

  private final String suspendCommand;
  private final String resumeCommand;
  private final Duration timeout;

  public CommandDriver(String suspendCommand, String resumeCommand, Duration timeout) {
    this.suspendCommand = suspendCommand;
    this.resumeCommand = resumeCommand;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "command";
  }

  @Override
  public void suspend(Target node) throws DriverException, InterruptedException {
    run("suspend", suspendCommand, node);
  }

  @Override
  public void resume(Target node) throws DriverException, InterruptedException {
    run("resume", resumeCommand, node);
  }

  private void run(String step, String command, Target node) throws DriverException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("NODE_ID", Long.toString(node.nodeId()));
    env.put("NODE_HOSTNAME", node.hostname());
    env.put("NODE_IP", node.ip());
    env.put("NODE_SSH_PORT", Integer.toString(node.sshPort()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new DriverException(step + " of node " + node.nodeId() + ": cannot run /bin/sh", e);
    }
    Deque<String> tail = new ArrayDeque<>();
    Thread reader = new Thread(() -> {
      try (var r = p.inputReader(StandardCharsets.UTF_8)) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (tail) {
            tail.addLast(line.length() > 200 ? line.substring(0, 200) : line);
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
          }
        }
      } catch (IOException ignored) {
        // the process is gone; what was read is the tail
      }
    }, "pool-driver-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new DriverException(step + " of node " + node.nodeId() + " did not finish within " + timeout);
      }
    } finally {
      if (p.isAlive()) { // timed out or interrupted (shutdown): nothing of it may outlive the step
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      reader.join(1000);
    }
    if (p.exitValue() != 0) {
      String out;
      synchronized (tail) {
        out = String.join(" | ", tail);
      }
      throw new DriverException(step + " of node " + node.nodeId() + " exited " + p.exitValue()
          + (out.isEmpty() ? "" : ": " + out));
    }
  }
}
