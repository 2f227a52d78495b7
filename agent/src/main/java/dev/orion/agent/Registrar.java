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
 * Registers the worker with the control plane, retrying with {@link Backoff} while it cannot
 * answer (no connection, 5xx, 408, 429). The first registration sends the enrollment token and
 * keeps the node token the answer (201) carries; every later one sends that node token. 201 (new)
 * and 200 (known) both end the loop with the node id. A 401 or 410 to a node token means the
 * control plane no longer knows this node (forgotten by an admin, database reset): the token is
 * dropped and the worker enrolls anew at once. Any other 4xx cannot fix itself (wrong enrollment
 * token, labels or address the API refuses, a host key differing from the pinned one, the
 * hostname registered by another identity): {@link Refused} says why, with the API's own detail,
 * and the agent exits non-zero.
 */
public final class Registrar {
  /** One attempt's outcome: the HTTP status (0 when the API could not be reached). */
  public record Attempt(int status, Long nodeId, String nodeToken, String body) {
    public boolean registered() {
      return (status == 200 || status == 201) && nodeId != null;
    }
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final AgentConfig cfg;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final NodeIdentity identity;

  public Registrar(HttpClient http, AgentConfig cfg, NodeIdentity identity, Backoff backoff, Sleeper sleeper) {
    this.http = http;
    this.cfg = cfg;
    this.identity = identity;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** With the standard backoff and real sleeping. */
  public Registrar(HttpClient http, AgentConfig cfg) {
    this(http, cfg, NodeIdentity.in(cfg.stateDir()), Backoff.standard(RandomGenerator.getDefault()), Sleeper.REAL);
  }

  public Registrar(HttpClient http, AgentConfig cfg, NodeIdentity identity) {
    this(http, cfg, identity, Backoff.standard(RandomGenerator.getDefault()), Sleeper.REAL);
  }

  /**
   * Tries until registered; returns the node id.
   *
   * @throws Refused when the control plane answers what no retry can change
   */
  public long register() throws InterruptedException, Refused {
    for (int failures = 1; ; failures++) {
      boolean withNodeToken = identity.token().isPresent();
      Attempt a = attempt();
      if (a.registered()) {
        if (a.nodeToken() != null) {
          identity.save(a.nodeToken());
          Log.info("node token kept in " + identity.file());
        }
        Log.info("registered as node " + a.nodeId() + " (" + (a.status() == 201 ? "new" : "already known") + ")");
        return a.nodeId();
      }
      if (withNodeToken && (a.status() == 401 || a.status() == 410)) {
        Log.warn("the control plane no longer knows this node's token (" + a.status() + ": "
            + Refused.detail(a.body()) + "); enrolling again with the enrollment token");
        identity.discard();
        failures = 0;
        continue;
      }
      if (Refused.isFinal(a.status()) || a.status() == 410) {
        throw refusal(a, withNodeToken);
      }
      Duration wait = backoff.delay(failures);
      Log.warn("control plane not answering yet (" + (a.status() == 0 ? a.body() : "HTTP " + a.status())
          + "); attempt " + failures + ", next in " + wait.toMillis() + " ms");
      sleeper.sleep(wait);
    }
  }

  /** Why a registration can never succeed as it is, for the operator who has to fix it. */
  private Refused refusal(Attempt a, boolean withNodeToken) {
    String detail = Refused.detail(a.body());
    String why = switch (a.status()) {
      case 400 -> "the control plane refuses this worker's registration: " + detail
          + " (check MY_HOSTNAME, MY_HOST_IP, MY_HOST_PORT, ORION_POOL, ORION_LABELS and the host key)";
      case 401, 403 -> "ORION_AGENT_TOKEN is not accepted: " + detail;
      case 409 -> withNodeToken ? "registration refused: " + detail
          : cfg.hostname() + " is registered already and this agent has no node token in " + identity.file()
              + " (state lost?); an admin must forget the node (DELETE /api/nodes/{id}) before it can enroll"
              + " again: " + detail;
      default -> "registration refused: " + detail;
    };
    return new Refused(a.status(), "registration refused (HTTP " + a.status() + "): " + why);
  }

  /** One registration request. */
  public Attempt attempt() throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.apiEndpoint() + "/api/workers/register"))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + identity.token().orElse(cfg.token()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(cfg)))
        .build();
    try {
      HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
      Long nodeId = null;
      String nodeToken = null;
      if (res.statusCode() == 200 || res.statusCode() == 201) {
        try {
          nodeId = Json.topLevelLong(res.body(), "node_id");
          nodeToken = Json.topLevelString(res.body(), "node_token");
        } catch (IllegalArgumentException e) {
          return new Attempt(res.statusCode(), null, null, "unreadable answer: " + res.body());
        }
      }
      return new Attempt(res.statusCode(), nodeId, nodeToken, res.body());
    } catch (IOException e) {
      return new Attempt(0, null, null, e.toString());
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
