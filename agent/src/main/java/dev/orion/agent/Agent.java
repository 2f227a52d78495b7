package dev.orion.agent;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;

/**
 * One agent: its node identity, registration and heartbeats, sharing the identity so a node the
 * control plane forgot (410) enrolls again with the enrollment token.
 */
public final class Agent {
  private final NodeIdentity identity;
  private final Registrar registrar;
  private final Heartbeater heartbeater;

  public Agent(HttpClient http, AgentConfig cfg, Sleeper sleeper) throws IOException {
    SystemStats stats = SystemStats.detect(Path.of("/proc"));
    Log.info("load figures from " + stats.source());
    stats.cpuPercent(); // so the first heartbeat reports the time since start, not since boot
    this.identity = NodeIdentity.in(cfg.stateDir());
    Log.info(identity.token().isPresent() ? "node token found in " + identity.file()
        : "no node token yet; enrolling with the enrollment token");
    this.registrar = new Registrar(http, cfg, identity,
        Backoff.standard(java.util.random.RandomGenerator.getDefault()), sleeper);
    this.heartbeater = new Heartbeater(http, cfg, identity, stats, sleeper);
  }

  /** Registers (enrolls if it has no node token); returns the node id. */
  public long register() throws InterruptedException, Refused {
    return registrar.register();
  }

  /** Heartbeats until the node is forgotten (its token dropped); returns that answer's status, 410. */
  public int heartbeatUntilForgotten() throws InterruptedException, Refused {
    return heartbeater.runUntilIdentityLost();
  }

  /** Registers and heartbeats for good, enrolling again whenever the node is forgotten. */
  public void run() throws InterruptedException, Refused {
    while (true) {
      register();
      heartbeatUntilForgotten();
    }
  }
}
