package dev.orion.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Registers the worker with the control plane, retrying with {@link Backoff} until it answers.
 * 201 (new) and 200 (known) both end the loop with the node id. A 401 (wrong token), 409 (host
 * key differs from the pinned one) or other 4xx will not fix itself: it is logged as an error and
 * retried at the backoff cap, so the worker joins as soon as an operator fixes the cause.
 */
public final class Registrar {
  /** One attempt's outcome: the HTTP status (0 when the API could not be reached). */
  public record Attempt(int status, Long nodeId, String body) {
    public boolean registered() {
      return (status == 200 || status == 201) && nodeId != null;
    }
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final AgentConfig cfg;
  private final Backoff backoff;
  private final Sleeper sleeper;

  public Registrar(HttpClient http, AgentConfig cfg, Backoff backoff, Sleeper sleeper) {
    this.http = http;
    this.cfg = cfg;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** With the standard backoff and real sleeping. */
  public Registrar(HttpClient http, AgentConfig cfg) {
    this(http, cfg, Backoff.standard(RandomGenerator.getDefault()), Sleeper.REAL);
  }

  /** Tries until registered; returns the node id. */
  public long register() throws InterruptedException {
    for (int failures = 1; ; failures++) {
      Attempt a = attempt();
      if (a.registered()) {
        Log.info("registered as node " + a.nodeId() + " (" + (a.status() == 201 ? "new" : "already known") + ")");
        return a.nodeId();
      }
      Duration wait;
      if (a.status() == 401 || a.status() == 403) {
        Log.error("registration refused (" + a.status() + "): ORION_AGENT_TOKEN is wrong; retrying in " + backoff.cap());
        wait = backoff.cap();
      } else if (a.status() == 409) {
        Log.error("registration refused (409): this worker's host key differs from the one pinned for "
            + cfg.hostname() + "; an admin must forget the node before it can rejoin. " + a.body());
        wait = backoff.cap();
      } else if (a.status() >= 400 && a.status() < 500) {
        Log.error("registration rejected (" + a.status() + "): " + a.body());
        wait = backoff.cap();
      } else {
        wait = backoff.delay(failures);
        Log.warn("control plane not answering yet (" + (a.status() == 0 ? a.body() : "HTTP " + a.status())
            + "); attempt " + failures + ", next in " + wait.toMillis() + " ms");
      }
      sleeper.sleep(wait);
    }
  }

  /** One registration request. */
  public Attempt attempt() throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.apiEndpoint() + "/api/workers/register"))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + cfg.token())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(cfg)))
        .build();
    try {
      HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
      Long nodeId = null;
      if (res.statusCode() == 200 || res.statusCode() == 201) {
        try {
          nodeId = Json.topLevelLong(res.body(), "node_id");
        } catch (IllegalArgumentException e) {
          return new Attempt(res.statusCode(), null, "unreadable answer: " + res.body());
        }
      }
      return new Attempt(res.statusCode(), nodeId, res.body());
    } catch (IOException e) {
      return new Attempt(0, null, e.toString());
    }
  }

  /** The registration document: {@code hostname, ip, ssh_port, host_key, pool (if set), labels}. */
  static String body(AgentConfig cfg) {
    StringBuilder b = new StringBuilder("{")
        .append("\"hostname\":").append(Json.string(cfg.hostname()))
        .append(",\"ip\":").append(Json.string(cfg.ip()))
        .append(",\"ssh_port\":").append(cfg.sshPort())
        .append(",\"host_key\":").append(Json.string(cfg.hostKey()));
    if (cfg.pool() != null) {
      b.append(",\"pool\":").append(Json.string(cfg.pool()));
    }
    Map<String, String> labels = cfg.labels();
    return b.append(",\"labels\":").append(Json.object(labels)).append('}').toString();
  }
}
