package dev.orion.autoscaler;

import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.replica.DockerDriver;
import dev.orion.autoscaler.replica.ProcessDriver;
import dev.orion.autoscaler.replica.ReadinessProbe;
import dev.orion.autoscaler.replica.ReplicaDriver;
import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.metrics.MetricsServer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the autoscaler until SIGTERM; on the process driver its replicas stop with it. */
public final class AutoscalerMain {
  private static final Logger log = LoggerFactory.getLogger(AutoscalerMain.class);

  private AutoscalerMain() {}

  public static void main(String[] args) throws InterruptedException {
    AutoscalerConfig config;
    try {
      config = AutoscalerConfig.from(Env.system(), System.getenv());
    } catch (ConfigException e) {
      System.err.println("autoscaler: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    log.info(config.describe());
    ReplicaDriver driver = driver(config);
    Autoscaler autoscaler = new Autoscaler(driver,
        new CaddyAdmin(config.caddyAdmin(), Duration.ofSeconds(5)),
        new ReadinessProbe(Duration.ofSeconds(2)), config.policy(), config.timing(),
        Clock.systemUTC(), config.firstReplicaOwnsSchema(), config.warmSpares());
    MetricsServer metricsServer = ScrapeTargets.serve(config.metrics(), autoscaler, driver);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      metricsServer.close();
      autoscaler.stop();
      driver.close();
      stopped.countDown();
    }, "autoscaler-shutdown"));
    autoscaler.start();
    stopped.await();
  }

  private static ReplicaDriver driver(AutoscalerConfig c) {
    return switch (c.driver()) {
      case PROCESS -> new ProcessDriver(new ProcessDriver.Settings(c.process().command(),
          c.replicaEnv(), c.process().host(), c.process().firstPort(), c.process().lastPort(),
          c.process().logDir(), c.process().runDir(), c.process().stopGrace(),
          c.process().metricsPortOffset()));
      case DOCKER -> DockerDriver.connect(c.docker());
    };
  }
}
