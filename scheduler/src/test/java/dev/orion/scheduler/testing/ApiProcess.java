package dev.orion.scheduler.testing;

import dev.orion.api.ApiMain;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real API replica JVM on a free port, killable by its own PID only (SIGKILL: no clean-up runs). */
public final class ApiProcess extends ChildJvm {
  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-1";

  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ApiProcess(Started started, int port) {
    super(started);
    this.port = port;
  }

  public static ApiProcess start(DbConfig db, Map<String, String> extra) throws IOException {
    int port = Ports.free();
    Map<String, String> env = new HashMap<>(Map.of("ORION_DB_URL", db.url(), "ORION_DB_USER", db.user(),
        "ORION_DB_PASSWORD", db.password(), "ORION_HTTP_PORT", Integer.toString(port), "ORION_METRICS_PORT", "0",
        "ORION_JWT_SECRET", "test-secret-0123456789-0123456789-abcdef", "ORION_AGENT_TOKEN", "agent-token-0123456789",
        "ORION_ADMIN_USERNAME", ADMIN, "ORION_ADMIN_PASSWORD", ADMIN_PASSWORD));
    env.putAll(extra);
    ApiProcess api = new ApiProcess(start("api-logs", "api",
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), ApiMain.class, env), port);
    Await.until("the API answers", Duration.ofSeconds(90), api::ready, api::log);
    return api;
  }

  private boolean ready() {
    try {
      return get("/api/ready") == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  public int get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  public HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Signs up {@code username} and returns a token for it. */
  public String newUser(String username, String password) throws IOException, InterruptedException {
    String creds = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
    post("/api/signup", null, creds);
    String body = post("/api/login", null, creds).body();
    return body.replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
  }
}
