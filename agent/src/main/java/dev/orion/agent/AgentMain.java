package dev.orion.agent;

import java.io.IOException;
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
      SystemStats stats = SystemStats.detect(Path.of("/proc"));
      Log.info("load figures from " + stats.source());
      stats.cpuPercent(); // so the first heartbeat reports the time since start, not since boot
      NodeIdentity identity = NodeIdentity.in(cfg.stateDir());
      Log.info(identity.token().isPresent() ? "node token found in " + identity.file()
          : "no node token yet; enrolling with the enrollment token");
      Registrar registrar = new Registrar(http, cfg, identity);
      Heartbeater heartbeater = new Heartbeater(http, cfg, identity, stats, Sleeper.REAL);
      while (true) {
        registrar.register();
        heartbeater.runUntilIdentityLost();
      }
    } catch (IOException e) {
      Log.error("cannot read /proc: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Log.info("interrupted; exiting");
    }
  }
}
