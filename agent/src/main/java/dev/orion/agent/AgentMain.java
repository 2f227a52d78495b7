package dev.orion.agent;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Entry point: register until the control plane answers, then heartbeat; enroll again when the
 * node is forgotten. Exits 2 on a bad configuration (the variable named) and 3 when the control
 * plane refuses the agent for good (its detail logged).
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    AgentConfig cfg;
    try {
      cfg = AgentConfig.from(System.getenv());
    } catch (IllegalArgumentException e) {
      Log.error("bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Log.info("starting with " + cfg);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      new Agent(http, cfg, Sleeper.REAL).run();
    } catch (Refused e) {
      Log.error(e.getMessage() + "; exiting (status " + Refused.EXIT_STATUS + ")");
      System.exit(Refused.EXIT_STATUS);
    } catch (IOException e) {
      Log.error("cannot read /proc: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Log.info("interrupted; exiting");
    }
  }
}
