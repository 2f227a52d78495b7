package dev.orion.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * Tells the control plane the worker is alive, with its CPU and memory use, every interval, with
 * the node's own token. Failures are logged and never stop the loop (the schedulers judge health
 * by SSH probes, the heartbeat only adds load figures), except an answer saying the node's
 * identity is gone: 401 (token unknown) or 410 (node forgotten) end it, so the agent registers
 * again.
 */
final class Heartbeater {
  private final HttpClient http;
  private final AgentConfig cfg;
  private final SystemStats stats;
  private final Sleeper sleeper;
  private final NodeIdentity identity;
  private boolean warnedMissing;

  Heartbeater(HttpClient http, AgentConfig cfg, NodeIdentity identity, SystemStats stats, Sleeper sleeper) {
    this.http = http;
    this.cfg = cfg;
    this.identity = identity;
    this.stats = stats;
    this.sleeper = sleeper;
  }

  /** Beats until the control plane no longer knows the node; returns that answer's status. */
  int runUntilIdentityLost() throws InterruptedException {
    while (true) {
      int status = beat();
      if (status == 401 || status == 410) {
        Log.warn("heartbeat answered " + status + ": the control plane no longer knows this node; registering again");
        return status;
      }
      sleeper.sleep(cfg.heartbeatInterval());
    }
  }

  /** One heartbeat; returns the HTTP status, or 0 when the API was not reachable. */
  int beat() throws InterruptedException {
    try {
      String body = String.format(Locale.ROOT,
          "{\"hostname\":%s,\"cpu_percent\":%.1f,\"mem_percent\":%.1f,\"load_source\":%s}",
          Json.string(cfg.hostname()), stats.cpuPercent(), stats.memPercent(), Json.string(stats.source()));
      HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.apiEndpoint() + "/api/workers/heartbeat"))
          .timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + identity.token().orElse(cfg.token()))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status == 404) {
        if (!warnedMissing) { // an API without the endpoint yet: say it once, keep beating
          Log.warn("heartbeat endpoint not found (404); continuing");
          warnedMissing = true;
        }
      } else if (status >= 300) {
        Log.warn("heartbeat answered HTTP " + status);
      }
      return status;
    } catch (IOException e) {
      Log.warn("heartbeat failed: " + e);
      return 0;
    }
  }
}
