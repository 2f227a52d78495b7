package dev.orion.scheduler.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The ArgoCD toggle of a pool: before the pool sleeps, each configured application's automated
 * sync ({@code spec.syncPolicy.automated}) is remembered and removed, so GitOps does not undo the
 * stop; after it wakes, exactly what was there is put back (or nothing, if nothing was). Speaks
 * ArgoCD's REST API: a session token from {@code POST /api/v1/session}, then get and update of
 * {@code /api/v1/applications/{name}}.
 */
public final class ArgoCd {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** A call ArgoCD refused or did not answer; the pool's hook is retried. */
  public static final class ArgoCdException extends IOException {
    ArgoCdException(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final URI server;
  private final String username;
  private final String password;
  private volatile String token;

  /** @param server ArgoCD's base URL; a path in it (ArgoCD behind a prefix) is kept */
  public ArgoCd(HttpClient http, URI server, String username, String password) {
    this.http = http;
    this.server = server.toString().endsWith("/") ? server : URI.create(server + "/");
    this.username = username;
    this.password = password;
  }

  /**
   * Removes automated sync from {@code app} and returns what it was, to be given back to
   * {@link #restore}. Idempotent: on an application without automated sync it returns empty.
   */
  public Optional<JsonNode> disableAutomatedSync(String app) throws IOException, InterruptedException {
    ObjectNode application = get(app);
    JsonNode policy = application.path("spec").path("syncPolicy");
    JsonNode automated = policy.get("automated");
    if (automated == null || automated.isNull()) {
      return Optional.empty();
    }
    ((ObjectNode) policy).remove("automated");
    update(app, application);
    return Optional.of(automated.deepCopy());
  }

  /** Puts back the automated sync {@link #disableAutomatedSync} removed; nothing if it had none. */
  public void restore(String app, Optional<JsonNode> automated) throws IOException, InterruptedException {
    if (automated.isEmpty()) {
      return;
    }
    ObjectNode application = get(app);
    ObjectNode spec = application.withObjectProperty("spec");
    ObjectNode policy = spec.has("syncPolicy") && spec.get("syncPolicy").isObject()
        ? (ObjectNode) spec.get("syncPolicy") : spec.putObject("syncPolicy");
    if (automated.get().equals(policy.get("automated"))) {
      return; // already back (a retried restore)
    }
    policy.set("automated", automated.get());
    update(app, application);
  }

  ObjectNode get(String app) throws IOException, InterruptedException {
    HttpResponse<String> r = send(() -> request(app).GET());
    JsonNode node = JSON.readTree(r.body());
    if (!(node instanceof ObjectNode o)) {
      throw new ArgoCdException("ArgoCD answered application " + app + " with no object");
    }
    return o;
  }

  private void update(String app, ObjectNode application) throws IOException, InterruptedException {
    byte[] body = JSON.writeValueAsBytes(application);
    send(() -> request(app).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private HttpRequest.Builder request(String app) {
    return HttpRequest.newBuilder(server.resolve("api/v1/applications/"
        + URLEncoder.encode(app, StandardCharsets.UTF_8))).timeout(TIMEOUT);
  }

  /** Sends with the session token, logging in first or again once when the token is refused. */
  private synchronized HttpResponse<String> send(java.util.function.Supplier<HttpRequest.Builder> request)
      throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 2; attempt++) {
      if (token == null) {
        token = login();
      }
      HttpResponse<String> r = http.send(request.get().header("Authorization", "Bearer " + token).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401 || r.statusCode() == 403) {
        token = null; // expired session: log in again, once
        continue;
      }
      if (r.statusCode() / 100 != 2) {
        throw new ArgoCdException("ArgoCD answered " + r.statusCode() + " for " + r.request().method()
            + " " + r.request().uri().getPath());
      }
      return r;
    }
    throw new ArgoCdException("ArgoCD refused the session of user " + username);
  }

  private String login() throws IOException, InterruptedException {
    ObjectNode creds = JSON.createObjectNode().put("username", username).put("password", password);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.resolve("api/v1/session"))
        .timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(creds))).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode token = r.statusCode() == 200 ? JSON.readTree(r.body()).get("token") : null;
    if (token == null || !token.isTextual()) {
      throw new ArgoCdException("ArgoCD login as " + username + " answered " + r.statusCode());
    }
    return token.asText();
  }
}
