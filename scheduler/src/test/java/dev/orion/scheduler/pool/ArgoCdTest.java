package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local server speaking the part of ArgoCD's REST API the toggle uses. */
class ArgoCdTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String APP = """
      {"metadata":{"name":"shop","namespace":"argocd","resourceVersion":"7"},
       "spec":{"project":"default","source":{"repoURL":"https://git.example/shop","path":"k8s"},
               "syncPolicy":{"automated":{"prune":true,"selfHeal":true,"allowEmpty":false},
                             "syncOptions":["CreateNamespace=true"]}},
       "status":{"sync":{"status":"Synced"}}}""";

  HttpServer server;
  final Map<String, String> apps = new ConcurrentHashMap<>();
  final Set<String> tokens = ConcurrentHashMap.newKeySet();
  final List<String> calls = new CopyOnWriteArrayList<>();
  ArgoCd argo;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/session", this::session);
    server.createContext("/api/v1/applications/", this::application);
    server.start();
    apps.put("shop", APP);
    apps.put("manual", "{\"metadata\":{\"name\":\"manual\"},\"spec\":{\"project\":\"default\"}}");
    argo = client("admin", "argo-pass");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  ArgoCd client(String user, String password) {
    return new ArgoCd(HttpClient.newHttpClient(),
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), user, password);
  }

  void session(HttpExchange ex) throws IOException {
    calls.add("POST session");
    JsonNode creds = JSON.readTree(ex.getRequestBody());
    if (!"admin".equals(creds.path("username").asText()) || !"argo-pass".equals(creds.path("password").asText())) {
      reply(ex, 401, "{\"error\":\"invalid username or password\"}");
      return;
    }
    String token = UUID.randomUUID().toString();
    tokens.add(token);
    reply(ex, 200, "{\"token\":\"" + token + "\"}");
  }

  void application(HttpExchange ex) throws IOException {
    String name = ex.getRequestURI().getPath().substring("/api/v1/applications/".length());
    calls.add(ex.getRequestMethod() + " " + name);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !tokens.contains(auth.substring("Bearer ".length()))) {
      reply(ex, 401, "{\"error\":\"invalid session\"}");
      return;
    }
    if (!apps.containsKey(name)) {
      reply(ex, 404, "{\"error\":\"not found\"}");
      return;
    }
    if (ex.getRequestMethod().equals("PUT")) {
      apps.put(name, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    }
    reply(ex, 200, apps.get(name));
  }

  static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  JsonNode app(String name) throws IOException {
    return JSON.readTree(apps.get(name));
  }

  @Test
  void sleepRemovesAutomatedSyncAndWakePutsBackExactlyWhatWasThere() throws Exception {
    JsonNode before = app("shop");
    Optional<JsonNode> saved = argo.disableAutomatedSync("shop");
    assertEquals(before.at("/spec/syncPolicy/automated"), saved.orElseThrow());
    assertTrue(app("shop").at("/spec/syncPolicy/automated").isMissingNode());
    assertEquals(before.at("/spec/syncPolicy/syncOptions"), app("shop").at("/spec/syncPolicy/syncOptions"),
        "the rest of the application is untouched");
    assertEquals(before.at("/spec/source"), app("shop").at("/spec/source"));

    argo.restore("shop", saved);
    assertEquals(before, app("shop"));
    int puts = (int) calls.stream().filter(c -> c.startsWith("PUT")).count();
    argo.restore("shop", saved); // a retried wake changes nothing
    assertEquals(puts, calls.stream().filter(c -> c.startsWith("PUT")).count());
    assertEquals(1, calls.stream().filter(c -> c.equals("POST session")).count(), "one session for all calls");
  }

  @Test
  void anApplicationWithoutAutomatedSyncIsLeftAlone() throws Exception {
    JsonNode before = app("manual");
    Optional<JsonNode> saved = argo.disableAutomatedSync("manual");
    assertTrue(saved.isEmpty());
    argo.restore("manual", saved);
    assertEquals(before, app("manual"));
    assertTrue(calls.stream().noneMatch(c -> c.startsWith("PUT")), calls.toString());
  }

  @Test
  void anExpiredSessionIsRenewedOnce() throws Exception {
    argo.get("shop");
    tokens.clear(); // ArgoCD restarted: every session is gone
    argo.disableAutomatedSync("shop");
    assertEquals(2, calls.stream().filter(c -> c.equals("POST session")).count());
  }

  @Test
  void refusalsAreErrorsToRetry() {
    assertThrows(ArgoCd.ArgoCdException.class, () -> client("admin", "wrong").get("shop"));
    assertThrows(ArgoCd.ArgoCdException.class, () -> argo.disableAutomatedSync("missing"));
  }
}
