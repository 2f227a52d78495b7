package dev.orion.autoscaler.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Client of the pool Caddy's admin API (see {@code Caddyfile.pool}) for the one thing the
 * autoscaler changes: the upstream list of the API's reverse_proxy handler. Every change is a
 * config patch that Caddy applies gracefully, without a restart.
 */
public final class CaddyAdmin {
  /** Prefix of the {@code @id}s given to the API's reverse_proxy handlers. */
  public static final String ID_PREFIX = "orion_api_";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  public CaddyAdmin(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * Makes every API reverse_proxy list exactly {@code dials}, in one config change (one reload)
   * or none when nothing differs.
   */
  public UpstreamPlan reconcile(List<String> dials) {
    JsonNode servers = get("/config/apps/http/servers");
    if (servers.isMissingNode() || servers.isNull()) {
      throw new CaddyException("Caddy has no http servers configured");
    }
    UpstreamPlan plan = UpstreamPlan.of(servers, dials);
    if (plan.changed()) {
      send("PATCH", "/config/apps/http/servers", plan.servers());
    }
    return plan;
  }

  /** The @ids of the API's reverse_proxy handlers (tagged by {@link #reconcile}). */
  public List<String> apiHandlerIds() {
    JsonNode servers = get("/config/apps/http/servers");
    return HandlerFinder.reverseProxies(servers, "").stream().map(HandlerFinder.Found::id)
        .toList();
  }

  /** The dial addresses ({@code host:port}) of one handler's upstreams, in config order. */
  public List<String> upstreams(String handlerId) {
    JsonNode list = get("/id/" + handlerId + "/upstreams");
    List<String> dials = new ArrayList<>();
    if (list.isArray()) {
      list.forEach(u -> dials.add(u.path("dial").asText()));
    }
    return dials;
  }

  /**
   * Requests Caddy is proxying to {@code dial} right now, over all handlers; 0 once the address has
   * left every handler and its last request finished.
   */
  public int inFlight(String dial) {
    JsonNode list = get("/reverse_proxy/upstreams");
    int n = 0;
    for (JsonNode u : list) {
      if (dial.equals(u.path("address").asText())) {
        n += u.path("num_requests").asInt();
      }
    }
    return n;
  }

  private JsonNode get(String path) {
    HttpResponse<String> r = exchange(HttpRequest.newBuilder(base.resolve(path)).GET(), path);
    if (r.statusCode() == 404 || r.statusCode() == 400 && r.body().contains("unknown object ID")) {
      return JSON.missingNode();
    }
    check(r, "GET", path);
    try {
      String body = r.body().isBlank() ? "null" : r.body();
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new CaddyException("GET " + path + " answered unreadable JSON", e);
    }
  }

  private void send(String method, String path, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    check(exchange(b, path), method, path);
  }

  private HttpResponse<String> exchange(HttpRequest.Builder b, String path) {
    try {
      return http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CaddyException("Caddy admin API at " + base + " unreachable (" + path + "): " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CaddyException("interrupted calling Caddy admin API " + path, e);
    }
  }

  private static void check(HttpResponse<String> r, String method, String path) {
    if (r.statusCode() / 100 != 2) {
      throw new CaddyException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body().strip());
    }
  }

  @Override
  public String toString() {
    return "Caddy admin API at " + base;
  }
}
