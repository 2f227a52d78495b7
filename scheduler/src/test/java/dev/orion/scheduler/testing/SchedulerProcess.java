package dev.orion.scheduler.testing;

import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.SchedulerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real scheduler JVM, started from this test's class path and stoppable by its own PID only. */
public final class SchedulerProcess extends ChildJvm {
  private final String id;

  private SchedulerProcess(String id, Started started) {
    super(started);
    this.id = id;
  }

  /** The options every deployed scheduler runs with ({@code scheduler/jvm.options}). */
  public static String deployedOptions() {
    for (Path p : List.of(Path.of("scheduler", "jvm.options"), Path.of("jvm.options"))) {
      if (Files.isRegularFile(p) && p.toAbsolutePath().getParent().getFileName().toString().equals("scheduler")) {
        return "@" + p.toAbsolutePath();
      }
    }
    throw new IllegalStateException("scheduler/jvm.options not found from " + Path.of("").toAbsolutePath());
  }

  /** A JVM with the deployed options and a small heap (tests). */
  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra) {
    return start(id, db, extra, List.of("-Xmx256m", deployedOptions()));
  }

  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra, List<String> jvmArgs) {
    return start(id, db, extra, jvmArgs, SchedulerMain.class);
  }

  /** A scheduler JVM running {@code main} (a test's variant of {@link SchedulerMain}). */
  public static SchedulerProcess start(String id, DbConfig db, Map<String, String> extra, List<String> jvmArgs,
      Class<?> main) {
    List<String> args = new ArrayList<>(jvmArgs);
    args.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    args.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    try {
      return new SchedulerProcess(id, start("scheduler-logs", id, args, main, Instances.env(id, db, extra)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start scheduler " + id, e);
    }
  }

  public String id() {
    return id;
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
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
    }
  }

  /** Waits until the instance has validated the schema and started its loops. */
  public SchedulerProcess awaitRunning() {
    Await.until("scheduler " + id + " running", java.time.Duration.ofSeconds(90),
        () -> log().contains("scheduler " + id + " running"), this::log);
    return this;
  }
}
