package dev.orion.api;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the API process from environment variables; stops cleanly on SIGTERM. */
public final class ApiMain {
  private static final Logger LOG = LoggerFactory.getLogger(ApiMain.class);

  public static void main(String[] args) {
    ApiConfig config;
    try {
      config = ApiConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("orion-api: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("starting with {}", config);
    ApiApp app = ApiApp.open(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    LOG.info("listening on http://{}:{}", config.httpHost(), app.port());
    // Waits (with back-off) for a database that is not up yet instead of exiting: an exiting
    // replica is restarted by the autoscaler over and over, while this one becomes ready by itself.
    try {
      if (app.awaitDatabase()) {
        LOG.info("ready");
      }
    } catch (RuntimeException e) {
      LOG.error("start-up failed", e);
      System.exit(1);
    }
  }
}
