package dev.orion.autoscaler.e2e;

import dev.orion.autoscaler.Autoscaler;
import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.ProcessDriver;
import dev.orion.autoscaler.replica.ReadinessProbe;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Real Caddy (edge and pool) plus the autoscaler driving replica processes. */
public final class EdgeStack implements AutoCloseable {
  static final int REPLICA_PORTS = 10;
  public final CaddyUnderTest caddy;
  public final ProcessDriver driver;
  public final CaddyAdmin admin;
  public final Autoscaler autoscaler;

  private EdgeStack(String name, ScalingPolicy policy, List<String> command,
      Map<String, String> env, Duration readyTimeout, int warmSpares) throws Exception {
    caddy = new CaddyUnderTest(name).awaitReady(Duration.ofSeconds(60));
    // Ten replica ports, then their ten metrics ports.
    int first = Ports.freeRange(2 * REPLICA_PORTS);
    driver = new ProcessDriver(new ProcessDriver.Settings(command, env, "127.0.0.1", first,
        first + REPLICA_PORTS - 1, caddy.home.resolve("logs"), caddy.home.resolve("pids"),
        Duration.ofSeconds(10), REPLICA_PORTS));
    admin = new CaddyAdmin(caddy.admin(), Duration.ofSeconds(5));
    autoscaler = new Autoscaler(driver, admin, new ReadinessProbe(Duration.ofSeconds(1)), policy,
        new Autoscaler.Timing(Duration.ofMillis(500), readyTimeout, Duration.ofSeconds(10),
            Duration.ofMillis(300), Duration.ofSeconds(3), Duration.ofSeconds(3)),
        Clock.systemUTC(), true, warmSpares);
  }

  /** Replicas are the stand-in server: fast to start, CPU on demand via /api/burn. */
  public static EdgeStack standIn(String name, ScalingPolicy policy) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes = Path.of(StandInApi.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).toString();
    return new EdgeStack(name, policy,
        List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", classes, StandInApi.class.getName()),
        Map.of(), Duration.ofSeconds(30), 0);
  }

  /** Replicas are the real API on a fresh database, their files under autoscaler/target. */
  public static EdgeStack api(String name, ScalingPolicy policy) throws Exception {
    return api(name, policy, new ApiProcesses(TestDb.freshConfig(40), CaddyUnderTest.repoRoot()
        .resolve("autoscaler/target/" + name + "-" + ProcessHandle.current().pid())));
  }

  /** Replicas are the real API on the given database settings. */
  public static EdgeStack api(String name, ScalingPolicy policy, ApiProcesses api)
      throws Exception {
    return api(name, policy, api, 0);
  }

  public static EdgeStack api(String name, ScalingPolicy policy, ApiProcesses api,
      int warmSpares) throws Exception {
    return new EdgeStack(name, policy, ApiProcesses.command(ApiProcesses.API_MAIN), api.env(),
        Duration.ofSeconds(90), warmSpares);
  }

  /**
   * Starts the autoscaler and waits until {@code replicas} serve through Caddy; on failure the
   * stack is closed here, since the caller's try-with-resources never received it.
   */
  public EdgeStack startServing(int replicas) throws Exception {
    try {
      autoscaler.start();
      Await.until(Duration.ofSeconds(120), replicas + " serving replica(s)",
          () -> autoscaler.serving().size() == replicas, this::state);
      return this;
    } catch (Throwable t) {
      close();
      throw t;
    }
  }

  /** A client of the edge over HTTPS, trusting Caddy's internal CA. */
  public ApiClient client() {
    return new ApiClient(caddy.https("").toString(), caddy.trust());
  }

  public String state() {
    return "serving " + autoscaler.serving() + ", active " + autoscaler.active()
        + ", last decision " + autoscaler.lastDecision();
  }

  @Override
  public void close() throws Exception {
    autoscaler.stop();
    driver.close();
    caddy.close();
  }
}
