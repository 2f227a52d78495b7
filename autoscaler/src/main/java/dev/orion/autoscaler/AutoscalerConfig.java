package dev.orion.autoscaler;

import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.metrics.MetricsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything the autoscaler reads from its environment, validated once at start.
 *
 * <p>The process driver passes the autoscaler's own environment on to the replicas, so the API's
 * variables ({@code ORION_DB_URL}, {@code ORION_JWT_SECRET}, ...) are set on the autoscaler too.
 */
public record AutoscalerConfig(
    Driver driver,
    ScalingPolicy policy,
    Autoscaler.Timing timing,
    int warmSpares,
    URI caddyAdmin,
    boolean firstReplicaOwnsSchema,
    Process process,
    Docker docker,
    MetricsConfig metrics,
    Map<String, String> replicaEnv) {

  /** {@code ORION_METRICS_PORT} of the autoscaler's own listener (metrics, scrape targets). */
  public static final int DEFAULT_METRICS_PORT = 9490;

  public enum Driver { PROCESS, DOCKER }

  /** Settings of the process driver. */
  public record Process(
      List<String> command, String host, int firstPort, int lastPort, Path logDir, Path runDir,
      Duration stopGrace, int metricsPortOffset) {}

  /** Settings of the docker driver. */
  public record Docker(String host, String label, int apiPort, Duration stopGrace,
      int metricsPort) {}

  private static final Pattern SECRET = Pattern.compile("SECRET|PASSWORD|TOKEN|KEY",
      Pattern.CASE_INSENSITIVE);

  public static AutoscalerConfig from(Env env, Map<String, String> rawEnv) {
    Driver driver = switch (env.string("ORION_AUTOSCALER_DRIVER", "process").toLowerCase(
        Locale.ROOT)) {
      case "process" -> Driver.PROCESS;
      case "docker" -> Driver.DOCKER;
      default -> throw new ConfigException("ORION_AUTOSCALER_DRIVER", "must be process or docker");
    };
    int min = env.integer("ORION_AUTOSCALER_MIN", 2, 1, 100);
    int max = env.integer("ORION_AUTOSCALER_MAX", 5, 1, 100);
    if (max < min) {
      throw new ConfigException("ORION_AUTOSCALER_MAX", "must be at least ORION_AUTOSCALER_MIN ("
          + min + "), got " + max);
    }
    ScalingPolicy policy = new ScalingPolicy(
        env.integer("ORION_AUTOSCALER_TARGET_CPU", 60, 1, 10_000),
        env.integer("ORION_AUTOSCALER_TOLERANCE_PERCENT", 10, 0, 99) / 100.0,
        min, max,
        env.duration("ORION_AUTOSCALER_SCALE_DOWN_WINDOW", Duration.ofSeconds(60)),
        env.integer("ORION_AUTOSCALER_MAX_STEP_UP", 2, 1, 100),
        env.integer("ORION_AUTOSCALER_MAX_STEP_DOWN", 1, 1, 100));
    Autoscaler.Timing timing = new Autoscaler.Timing(
        env.duration("ORION_AUTOSCALER_INTERVAL", Duration.ofSeconds(2)),
        env.duration("ORION_AUTOSCALER_READY_TIMEOUT", Duration.ofSeconds(90)),
        env.duration("ORION_AUTOSCALER_DRAIN_TIMEOUT", Duration.ofSeconds(15)),
        env.duration("ORION_AUTOSCALER_DRAIN_GRACE", Duration.ofSeconds(1)),
        env.duration("ORION_AUTOSCALER_GONE_GRACE", Duration.ofSeconds(5)),
        env.duration("ORION_AUTOSCALER_CPU_WARMUP", Duration.ofSeconds(15)));
    // The pool Caddy's admin socket, in the 0700 directory scripts/edge.sh makes.
    String admin = env.string("ORION_CADDY_ADMIN", "unix/" + Path.of(env.string("ORION_HOME", ".orion"))
        .toAbsolutePath().resolve("caddy/admin/pool.sock"));
    URI caddy;
    try {
      caddy = CaddyAdmin.address(admin);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ORION_CADDY_ADMIN", e.getMessage());
    }
    Duration stopGrace = env.duration("ORION_AUTOSCALER_STOP_GRACE", Duration.ofSeconds(10));

    Process process = null;
    Docker docker = null;
    if (driver == Driver.PROCESS) {
      Path jar = Path.of(env.string("ORION_AUTOSCALER_API_JAR", "api/target/orion-api.jar"));
      if (!Files.isRegularFile(jar)) {
        throw new ConfigException("ORION_AUTOSCALER_API_JAR", "names no file: " + jar
            .toAbsolutePath() + " (build it with mvn -pl api -am package)");
      }
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      // Small heaps and the serial collector: several replicas share a small machine.
      for (String opt : env.string("ORION_AUTOSCALER_API_JAVA_OPTS",
          "-Xmx256m -XX:+UseSerialGC").split("\\s+")) {
        if (!opt.isBlank()) {
          command.add(opt);
        }
      }
      command.add("-jar");
      command.add(jar.toAbsolutePath().toString());
      int first = env.integer("ORION_AUTOSCALER_FIRST_PORT", 8101, 1024, 65535);
      int last = env.integer("ORION_AUTOSCALER_LAST_PORT", first + 49, first, 65535);
      // Replica N's metrics listener is on its HTTP port plus this (8101 -> 9101 by default).
      int offset = env.integer("ORION_AUTOSCALER_METRICS_PORT_OFFSET", 1000, 1, 60000);
      if (offset <= last - first || last + offset > 65535) {
        throw new ConfigException("ORION_AUTOSCALER_METRICS_PORT_OFFSET", "must exceed the replica"
            + " port range " + first + "-" + last + " and keep ports below 65536, got " + offset);
      }
      Path home = Path.of(env.string("ORION_HOME", ".orion"));
      process = new Process(command, env.string("ORION_HTTP_HOST", "127.0.0.1"), first, last,
          Path.of(env.string("ORION_AUTOSCALER_LOG_DIR", home.resolve("logs").toString())),
          Path.of(env.string("ORION_AUTOSCALER_RUN_DIR", home.resolve("pids").toString())),
          stopGrace, offset);
    } else {
      docker = new Docker(
          env.string("ORION_DOCKER_HOST", "unix:///var/run/docker.sock"),
          env.string("ORION_AUTOSCALER_LABEL", "dev.orion.role=api"),
          env.integer("ORION_AUTOSCALER_API_PORT", 8000, 1, 65535),
          stopGrace,
          env.integer("ORION_AUTOSCALER_API_METRICS_PORT", 9470, 0, 65535));
      if (!docker.label().contains("=")) {
        throw new ConfigException("ORION_AUTOSCALER_LABEL", "must look like key=value");
      }
    }
    int spares = env.integer("ORION_AUTOSCALER_WARM_SPARES", 1, 0, 10);
    return new AutoscalerConfig(driver, policy, timing, spares, caddy,
        env.bool("ORION_AUTOSCALER_FIRST_REPLICA_MIGRATES", true), process, docker,
        MetricsConfig.from(env, DEFAULT_METRICS_PORT), Map.copyOf(rawEnv));
  }

  /** One line per setting for the start-up log; values of secret-looking variables hidden. */
  public String describe() {
    StringBuilder b = new StringBuilder("autoscaler configuration:\n");
    b.append("  driver ").append(driver).append('\n');
    b.append("  policy ").append(policy).append('\n');
    b.append("  timing ").append(timing).append('\n');
    b.append("  warm spares ").append(warmSpares).append('\n');
    b.append("  caddy admin ").append(caddyAdmin).append('\n');
    b.append("  metrics ").append(metrics).append('\n');
    b.append("  first replica migrates ").append(firstReplicaOwnsSchema).append('\n');
    if (process != null) {
      b.append("  process ").append(process).append('\n');
    }
    if (docker != null) {
      b.append("  docker ").append(docker).append('\n');
    }
    b.append("  replica environment (ORION_*):");
    new TreeMap<>(replicaEnv).forEach((k, v) -> {
      if (k.startsWith("ORION_") && !k.startsWith("ORION_AUTOSCALER_")) {
        b.append("\n    ").append(k).append('=').append(redact(k, v));
      }
    });
    return b.toString();
  }

  static String redact(String name, String value) {
    return SECRET.matcher(name).find() ? "<redacted>" : value;
  }
}
