package dev.orion.scheduler;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.db.Database;
import dev.orion.common.metrics.Metrics;
import dev.orion.common.metrics.MetricsServer;
import dev.orion.scheduler.metrics.QueueDepths;
import dev.orion.scheduler.pool.PoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Runs one scheduler instance until SIGTERM. The API owns the schema: this process only
 * validates it, waiting while the API (started alongside) has not migrated yet.
 */
public final class SchedulerMain {
  static {
    // sshj logs every handshake at INFO; with hundreds of workers that drowns the transitions.
    // Set before the first logger exists; an explicit -D setting still wins.
    if (System.getProperty("org.slf4j.simpleLogger.log.net.schmizz") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.net.schmizz", "warn");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SchedulerMain.class);

  public static void main(String[] args) throws InterruptedException {
    SchedulerConfig config;
    try {
      config = SchedulerConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("scheduler: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting with {}", config);
    // Every transaction of the scheduler is a claim transaction at READ COMMITTED (ClaimTx): as the
    // connections' own level, it is not switched to and back around each one (two round trips
    // per claim or completion, the latency of every step of a failover on a busy machine).
    Database db = Database.connect(config.db(), TransactionIsolationLevel.READ_COMMITTED);
    // Listening before the schema wait, so Prometheus sees a scheduler that waits as up.
    PrometheusMeterRegistry metrics = Metrics.registry();
    MetricsServer metricsServer = MetricsServer.start(config.metrics(), metrics);
    awaitSchema(db, config);
    QueueDepths.register(metrics, db.jdbi(), Clock.systemUTC(), config.rescueAfter());
    PoolMetrics.registerNodeCounts(metrics, db.jdbi());
    Scheduler scheduler = new Scheduler(config, db, Clock.systemUTC()).start(metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      metricsServer.close();
      scheduler.close();
      db.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }

  private static void awaitSchema(Database db, SchedulerConfig config) throws InterruptedException {
    Instant deadline = Instant.now().plus(config.schemaWait());
    while (true) {
      try {
        db.validate();
        return;
      } catch (FlywayException | IllegalStateException e) {
        if (Instant.now().isAfter(deadline)) {
          log.error("schema not valid after {}: {}", config.schemaWait(), e.getMessage());
          System.exit(3);
        }
        log.info("waiting for the database and its schema (the API migrates it): {}", firstLine(e.getMessage()));
        Thread.sleep(1000);
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
