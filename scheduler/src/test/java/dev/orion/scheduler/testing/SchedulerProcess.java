package dev.orion.scheduler.testing;

import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.SchedulerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real scheduler JVM, started from this test's class path and stoppable by its own PID only. */
public final class SchedulerProcess implements AutoCloseable {
  private final String id;
  private final Process process;
  private final Path log;

  private SchedulerProcess(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
  }

  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra) {
    try {
      Path dir = Path.of("target", "scheduler-logs");
      Files.createDirectories(dir);
      Path log = dir.resolve(id + "-" + System.nanoTime() + ".log");
      ProcessBuilder pb = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"),
          SchedulerMain.class.getName()));
      pb.environment().putAll(Instances.env(id, db, extra));
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      return new SchedulerProcess(id, pb.start(), log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start scheduler " + id, e);
    }
  }

  public String id() {
    return id;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs, claims stay in the database as they were. */
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

  /** SIGTERM and wait, so the instance releases its pool cleanly. */
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
