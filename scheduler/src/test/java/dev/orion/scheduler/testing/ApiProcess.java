package dev.orion.scheduler.testing;

import dev.orion.api.ApiMain;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real API replica JVM on a free port, killable by its own PID only (SIGKILL: no clean-up runs). */
public final class ApiProcess implements AutoCloseable {
  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-1";

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ApiProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  public static ApiProcess start(DbConfig db, Map<String, String> extra) throws IOException {
    int port = TestDb.freePort();
    Path dir = Path.of("target", "api-logs");
    Files.createDirectories(dir);
    Path log = dir.resolve("api-" + System.nanoTime() + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ApiMain.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("ORION_DB_URL", db.url());
    env.put("ORION_DB_USER", db.user());
    env.put("ORION_DB_PASSWORD", db.password());
    env.put("ORION_HTTP_PORT", Integer.toString(port));
    env.put("ORION_METRICS_PORT", "0");
    env.put("ORION_JWT_SECRET", "test-secret-0123456789-0123456789-abcdef");
    env.put("ORION_AGENT_TOKEN", "agent-token-0123456789");
    env.put("ORION_ADMIN_USERNAME", ADMIN);
    env.put("ORION_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.putAll(extra);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    ApiProcess api = new ApiProcess(pb.start(), log, port);
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

  /** SIGKILL, as when the machine or container under a replica dies. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
