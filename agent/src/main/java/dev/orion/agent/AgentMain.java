package dev.orion.agent;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/** Entry point: register until the control plane answers, then heartbeat forever. */
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
      new Registrar(http, cfg).register();
      new Heartbeater(http, cfg, new SystemStats(Path.of("/proc")), Sleeper.REAL).runForever();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Log.info("interrupted; exiting");
    }
  }
}
