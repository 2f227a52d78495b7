package dev.orion.autoscaler.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.api.ContentResponse;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.client.http.HttpClientTransportOverHTTP;
import org.eclipse.jetty.client.util.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Client of the pool Caddy's admin API (see {@code Caddyfile.pool}) for the one thing the
 * autoscaler changes: the upstream list of the API's reverse_proxy handler. Every change is a
 * config patch that Caddy applies gracefully, without a restart.
 *
 * <p>The admin API listens on a unix socket in a directory only its owner may enter
 * ({@code unix:/path/pool.sock}, from Caddy's {@code unix//path/pool.sock}): on TCP any local
 * process, a tenant's included, could rewrite Caddy's config. The JDK's HTTP client cannot dial a
 * unix socket; Jetty's (the Jetty of Javalin) can. A TCP address ({@code http://host:port}) is
 * still accepted for docker-compose, where the admin API stays on the control network.
 */
public final class CaddyAdmin implements AutoCloseable {
  /** Prefix of the {@code @id}s given to the API's reverse_proxy handlers. */
  public static final String ID_PREFIX = "orion_api_";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  /** Where requests go: {@code base} itself over TCP, {@code http://localhost} over the socket. */
  private final URI target;
  private final HttpClient http;
  private final Duration timeout;

  public CaddyAdmin(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    ClientConnector connector;
    if ("unix".equals(base.getScheme())) {
      connector = ClientConnector.forUnixDomain(Path.of(base.getPath()));
      // Caddy checks the Host header of admin requests against its origins (Caddyfile.pool).
      target = URI.create("http://localhost");
    } else {
      connector = new ClientConnector();
      target = base;
    }
    QueuedThreadPool threads = new QueuedThreadPool(4, 1);
    threads.setName("caddy-admin");
    threads.setDaemon(true);
    connector.setExecutor(threads);
    connector.setConnectTimeout(timeout);
    http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setExecutor(threads);
    http.setConnectTimeout(timeout.toMillis());
    try {
      http.start();
    } catch (Exception e) {
      throw new CaddyException("cannot start the HTTP client for " + base, e);
    }
  }

  /**
   * The admin address from {@code ORION_CADDY_ADMIN}: Caddy's own {@code unix//abs/path.sock}
   * notation or {@code unix:/abs/path.sock} for a socket, {@code host:port} or an http URL for TCP.
   */
  public static URI address(String value) {
    if (value.startsWith("unix//")) {
      return URI.create("unix:" + value.substring("unix/".length()));
    }
    if (value.startsWith("unix:")) {
      URI u = URI.create(value);
      if (u.getPath() == null || !u.getPath().startsWith("/")) {
        throw new IllegalArgumentException("a unix socket address needs an absolute path: " + value);
      }
      return URI.create("unix:" + u.getPath());
    }
    return URI.create(value.contains("://") ? value : "http://" + value);
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
    ContentResponse r = exchange(request(path).method(HttpMethod.GET), path);
    String body = r.getContentAsString();
    if (r.getStatus() == 404 || r.getStatus() == 400 && body.contains("unknown object ID")) {
      return JSON.missingNode();
    }
    check(r, "GET", path);
    try {
      return JSON.readTree(body.isBlank() ? "null" : body);
    } catch (IOException e) {
      throw new CaddyException("GET " + path + " answered unreadable JSON", e);
    }
  }

  private void send(String method, String path, JsonNode body) {
    Request req = request(path).method(method)
        .body(new StringRequestContent("application/json", body.toString(), StandardCharsets.UTF_8));
    check(exchange(req, path), method, path);
  }

  /** Sends {@code body} as JSON with {@code method} to {@code path}; answers the status (tests use it). */
  public int raw(String method, String path, String body) {
    Request req = request(path).method(method)
        .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8));
    return exchange(req, path).getStatus();
  }

  private Request request(String path) {
    return http.newRequest(target.resolve(path)).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ContentResponse exchange(Request req, String path) {
    try {
      return req.send();
    } catch (ExecutionException | TimeoutException e) {
      throw new CaddyException("Caddy admin API at " + base + " unreachable (" + path + "): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CaddyException("interrupted calling Caddy admin API " + path, e);
    }
  }

  private static void check(ContentResponse r, String method, String path) {
    if (r.getStatus() / 100 != 2) {
      throw new CaddyException(
          method + " " + path + " answered " + r.getStatus() + ": " + r.getContentAsString().strip());
    }
  }

  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      // nothing to keep: the client's threads are daemons
    }
  }

  @Override
  public String toString() {
    return "Caddy admin API at " + base;
  }
}
