package dev.orion.scheduler.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM a test started from its own class path, both output streams in a log file under
 * {@code target/}; signalled by its own PID only.
 */
abstract class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path log;

  /** A started JVM and where its output goes. */
  record Started(Process process, Path log) {}

  ChildJvm(Started started) {
    this.process = started.process();
    this.log = started.log();
  }

  /** Runs {@code main} with {@code jvmArgs} and {@code env} added to this JVM's environment. */
  static Started start(String logDir, String name, List<String> jvmArgs, Class<?> main, Map<String, String> env)
      throws IOException {
    Path dir = Path.of("target", logDir);
    Files.createDirectories(dir);
    Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Started(pb.start(), log);
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM and wait (SIGKILL after 30 s), so the process shuts down cleanly. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
