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
 * the node's own token. Failures it may outlast (no connection, 5xx, 408, 429) are logged and never
 * stop the loop: the schedulers judge health by SSH probes, the heartbeat only adds load figures.
 * A 410 says the node was forgotten by an admin: its token is dropped and the loop ends, so the
 * agent enrolls again as a new node. Any other 4xx (a token the API does not know, a body it
 * refuses) will not change by repeating it: {@link Refused} says why, and the agent exits.
 */
final class Heartbeater {
  private final HttpClient http;
  private final AgentConfig cfg;
  private final SystemStats stats;
  private final Sleeper sleeper;
  private final NodeIdentity identity;

  Heartbeater(HttpClient http, AgentConfig cfg, NodeIdentity identity, SystemStats stats, Sleeper sleeper) {
    this.http = http;
    this.cfg = cfg;
    this.identity = identity;
    this.stats = stats;
    this.sleeper = sleeper;
  }

  /** One heartbeat's answer: its HTTP status (0 when the API was not reachable) and body. */
  record Beat(int status, String body) {}

  /**
   * Beats until the node is forgotten (410: its token is dropped, so the next registration
   * enrolls anew); returns that status.
   *
   * @throws Refused on an answer no retry can change
   */
  int runUntilIdentityLost() throws InterruptedException, Refused {
    while (true) {
      Beat b = beat();
      if (b.status() == 410) {
        Log.warn("heartbeat answered 410: " + Refused.detail(b.body()) + "; enrolling again");
        identity.discard();
        return b.status();
      }
      if (Refused.isFinal(b.status())) {
        throw new Refused(b.status(), "heartbeat refused (HTTP " + b.status() + "): " + Refused.detail(b.body()));
      }
      sleeper.sleep(cfg.heartbeatInterval());
    }
  }

  /** One heartbeat. */
  Beat beat() throws InterruptedException {
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
      HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() >= 300 && !Refused.isFinal(res.statusCode()) && res.statusCode() != 410) {
        Log.warn("heartbeat answered HTTP " + res.statusCode() + "; continuing");
      }
      return new Beat(res.statusCode(), res.body());
    } catch (IOException e) {
      Log.warn("heartbeat failed: " + e);
      return new Beat(0, e.toString());
    }
  }
}
