package dev.orion.autoscaler.e2e;

import dev.orion.autoscaler.Autoscaler;
import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.ProcessDriver;
import dev.orion.autoscaler.replica.ReadinessProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Real Caddy plus the autoscaler driving stand-in API processes through the process driver. */
final class StandInStack implements AutoCloseable {
  final CaddyUnderTest caddy;
  final ProcessDriver driver;
  final CaddyAdmin admin;
  final Autoscaler autoscaler;

  StandInStack(String name, ScalingPolicy policy) throws Exception {
    caddy = new CaddyUnderTest(name).awaitReady(Duration.ofSeconds(60));
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes = Path.of(StandInApi.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).toString();
    int first = Ports.freeRange(10);
    driver = new ProcessDriver(new ProcessDriver.Settings(
        List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", classes, StandInApi.class.getName()),
        Map.of(), "127.0.0.1", first, first + 9, caddy.home.resolve("logs"),
        caddy.home.resolve("run"), Duration.ofSeconds(5)));
    admin = new CaddyAdmin(caddy.admin(), Duration.ofSeconds(5));
    autoscaler = new Autoscaler(driver, admin, new ReadinessProbe(Duration.ofSeconds(1)), policy,
        new Autoscaler.Timing(Duration.ofMillis(500), Duration.ofSeconds(30),
            Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(3)),
        Clock.systemUTC(), true);
  }

  String state() {
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
