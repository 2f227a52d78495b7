package dev.orion.autoscaler.replica;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API replicas as child processes of the autoscaler, each on its own port of {@code host}.
 *
 * <p>Each replica gets the autoscaler's environment (which is the API's: database, secrets) plus
 * {@code ORION_HTTP_HOST}, {@code ORION_HTTP_PORT}, {@code ORION_METRICS_HOST},
 * {@code ORION_METRICS_PORT} (the HTTP port plus {@code metricsPortOffset}, so several replicas on
 * one host never share a metrics port) and {@code ORION_DB_MIGRATE}. Its output goes
 * to {@code <logDir>/api-<port>.log}; its PID to {@code <runDir>/api-<port>.pid}, so that
 * {@code ./orion status} can list it and {@code ./orion down} can stop it even after the
 * autoscaler itself was killed.
 */
public final class ProcessDriver implements ReplicaDriver {
  private static final Logger log = LoggerFactory.getLogger(ProcessDriver.class);

  /** How the driver starts replicas; {@code command} is e.g. {@code java -jar orion-api.jar}. */
  public record Settings(
      List<String> command,
      Map<String, String> env,
      String host,
      int firstPort,
      int lastPort,
      Path logDir,
      Path runDir,
      Duration stopGrace,
      int metricsPortOffset) {
    public Settings {
      if (metricsPortOffset <= lastPort - firstPort) {
        throw new IllegalArgumentException("metrics port offset " + metricsPortOffset
            + " must exceed the replica port range " + firstPort + "-" + lastPort);
      }
      command = List.copyOf(command);
      env = Map.copyOf(env);
    }
  }

  private record Child(Replica replica, Process process) {}

  private record CpuReading(long ticks, long nanos) {}

  private final Settings settings;
  private final long ticksPerSecond;
  private final Map<String, Child> children = new ConcurrentHashMap<>();
  private final Map<String, CpuReading> lastCpu = new ConcurrentHashMap<>();
  private int nextPort;

  public ProcessDriver(Settings settings) {
    this.settings = settings;
    this.ticksPerSecond = clockTicksPerSecond();
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public synchronized List<Replica> list() {
    List<Replica> alive = new ArrayList<>();
    for (Child c : List.copyOf(children.values())) {
      if (c.process().isAlive()) {
        alive.add(c.replica());
      } else {
        log.warn("replica {} exited with code {}", c.replica(), c.process().exitValue());
        forget(c.replica());
      }
    }
    alive.sort((a, b) -> a.id().compareTo(b.id()));
    return alive;
  }

  @Override
  public OptionalDouble cpuPercent(Replica replica) {
    Path stat = Path.of("/proc", Long.toString(replica.pid()), "stat");
    CpuReading now;
    try {
      now = new CpuReading(ProcStat.cpuTicks(Files.readString(stat)), System.nanoTime());
    } catch (IOException e) {
      return OptionalDouble.empty(); // exited between list() and now
    }
    CpuReading before = lastCpu.put(replica.id(), now);
    if (before == null) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(ProcStat.percent(
        before.ticks(), before.nanos(), now.ticks(), now.nanos(), ticksPerSecond));
  }

  @Override
  public synchronized Replica start(boolean ownsSchema) {
    int port = freePort();
    String id = "api-" + port;
    Map<String, String> env = new HashMap<>(settings.env());
    env.put("ORION_HTTP_HOST", settings.host());
    env.put("ORION_HTTP_PORT", Integer.toString(port));
    env.put("ORION_METRICS_HOST", settings.host());
    env.put("ORION_METRICS_PORT", Integer.toString(port + settings.metricsPortOffset()));
    env.put("ORION_DB_MIGRATE", Boolean.toString(ownsSchema));
    if (!ownsSchema) {
      // Only the replica that migrates holds the migration account (it may change the schema).
      env.remove("ORION_DB_MIGRATE_USER");
      env.remove("ORION_DB_MIGRATE_PASSWORD");
    }
    try {
      Files.createDirectories(settings.logDir());
      Files.createDirectories(settings.runDir());
      ProcessBuilder pb = new ProcessBuilder(settings.command())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              settings.logDir().resolve(id + ".log").toFile()));
      pb.environment().putAll(env);
      if (!ownsSchema) {
        pb.environment().remove("ORION_DB_MIGRATE_USER"); // inherited from the autoscaler too
        pb.environment().remove("ORION_DB_MIGRATE_PASSWORD");
      }
      Process p = pb.start();
      Replica r = new Replica(id, settings.host() + ":" + port, p.pid(), true);
      children.put(id, new Child(r, p));
      Files.writeString(pidFile(id), p.pid() + "\n");
      log.info("replica {} started{}", r, ownsSchema ? " (schema owner)" : "");
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start replica " + id + " with "
          + settings.command(), e);
    }
  }

  @Override
  public Optional<String> metricsAddress(Replica replica) {
    int port = Integer.parseInt(replica.dial().substring(replica.dial().lastIndexOf(':') + 1));
    return Optional.of(settings.host() + ":" + (port + settings.metricsPortOffset()));
  }

  @Override
  public void stop(Replica replica) {
    Child c = children.get(replica.id());
    if (c == null) {
      return;
    }
    Process p = c.process();
    p.destroy(); // SIGTERM: the API finishes in-flight requests and closes its pool
    try {
      if (!p.waitFor(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("replica {} still running {} after SIGTERM, sending SIGKILL", replica,
            settings.stopGrace());
        p.destroyForcibly();
        p.waitFor(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    log.info("replica {} stopped (exit {})", replica, p.isAlive() ? "pending" : p.exitValue());
    forget(replica);
  }

  /** Stops every replica this driver started: they are children and must not outlive it. */
  @Override
  public void close() {
    List<Thread> stopping = new ArrayList<>();
    for (Child c : List.copyOf(children.values())) {
      Thread t = new Thread(() -> stop(c.replica()), "stop-" + c.replica().id());
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void forget(Replica r) {
    children.remove(r.id());
    lastCpu.remove(r.id());
    try {
      Files.deleteIfExists(pidFile(r.id()));
    } catch (IOException e) {
      log.warn("could not remove pid file of {}: {}", r, e.toString());
    }
  }

  private Path pidFile(String id) {
    return settings.runDir().resolve(id + ".pid");
  }

  /**
   * The next port of the range, round robin, that no replica of ours holds and nothing else
   * listens on. Round robin so that a replacement does not take a dead replica's address while
   * Caddy still counts that address's recent failures against it.
   */
  private int freePort() {
    int span = settings.lastPort() - settings.firstPort() + 1;
    for (int i = 0; i < span; i++) {
      int port = settings.firstPort() + (nextPort + i) % span;
      if (children.containsKey("api-" + port)) {
        continue;
      }
      if (free(port) && free(port + settings.metricsPortOffset())) {
        nextPort = (port - settings.firstPort() + 1) % span;
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + settings.firstPort() + "-"
        + settings.lastPort() + " for another API replica");
  }

  private boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(settings.host()))) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException busy) {
      return false; // taken by something else
    }
  }

  /** USER_HZ, the unit of /proc/<pid>/stat times; 100 on every common Linux build. */
  private static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() == 0 && out.matches("\\d+")) {
        return Long.parseLong(out);
      }
    } catch (IOException e) {
      // fall through to the Linux default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
