package dev.orion.scheduler.testing;

import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.SchedulerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** A JVM tuned to start fast (tests). */
  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra) {
    return start(id, db, extra, List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
  }

  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra, List<String> jvmArgs) {
    return start(id, db, extra, jvmArgs, SchedulerMain.class);
  }

  /** A scheduler JVM running {@code main} (a test's variant of {@link SchedulerMain}). */
  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra, List<String> jvmArgs,
      Class<?> main) {
    try {
      Path dir = Path.of("target", "scheduler-logs");
      Files.createDirectories(dir);
      Path log = dir.resolve(id + "-" + System.nanoTime() + ".log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmArgs);
      cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
      cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
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

  /** SIGSTOP: the process keeps its sockets and claims but runs nothing, as a hung or swapped-out one. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits until the instance has validated the schema and started its loops. */
  public SchedulerProcess awaitRunning() {
    Await.until("scheduler " + id + " running", java.time.Duration.ofSeconds(90),
        () -> log().contains("scheduler " + id + " running"), this::log);
    return this;
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
