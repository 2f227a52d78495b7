package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orion.testkit.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration and heartbeats against a real HTTP server that misbehaves first. */
class RegistrarTest {
  static final String KEY = AgentConfigTest.KEY;
  HttpServer server;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> auths = new CopyOnWriteArrayList<>();
  final List<Duration> sleeps = new ArrayList<>();
  final Sleeper recordingSleeper = sleeps::add;
  final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path tmp;
  Path state;

  @BeforeEach
  void stateDir() {
    state = tmp.resolve("orion-agent");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Serves the given answers in order for registration, the last one forever. */
  URI serve(int... statuses) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    int[] n = {0};
    server.createContext("/api/workers/register", ex -> {
      bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      auths.add(ex.getRequestHeaders().getFirst("Authorization"));
      int status = statuses[Math.min(n[0]++, statuses.length - 1)];
      respond(ex, status, status < 300
          ? "{\"message\":\"Worker " + (status == 201 ? "registered" : "already registered") + "\",\"node_id\":17"
              + (status == 201 ? ",\"node_token\":\"node-tok-" + n[0] + "\"}" : "}")
          : "{\"type\":\"about:blank\",\"title\":\"nope\",\"status\":" + status
              + ",\"detail\":\"the reason for " + status + "\"}");
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  AgentConfig config(URI api) {
    return new AgentConfig(api, "s3cret", "w-\"quoted\"", "127.0.0.1", 2201, KEY, "gpu", Map.of("zone", "eu-1"),
        Duration.ofSeconds(10), state);
  }

  Registrar registrar(URI api, long seed) {
    return new Registrar(http, config(api), NodeIdentity.in(state), Backoff.standard(new Random(seed)), recordingSleeper);
  }

  @Test
  void theFirstRegistrationKeepsTheNodeTokenInARootOnlyFileAndLaterOnesSendIt() throws Exception {
    URI api = serve(201, 200);
    assertEquals(17, registrar(api, 5).register());
    Path file = state.resolve(NodeIdentity.FILE);
    assertEquals("node-tok-1", Files.readString(file).strip());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));

    // A restarted agent (a new process reading the same state directory) is the same node.
    assertEquals(17, registrar(api, 6).register());
    assertEquals(List.of("Bearer s3cret", "Bearer node-tok-1"), auths);
    assertEquals("node-tok-1", Files.readString(file).strip(), "a 200 issues no new token");
  }

  @Test
  void aNodeTokenTheApiNoLongerKnowsIsDroppedAndTheWorkerEnrollsAgain() throws Exception {
    Files.createDirectories(state);
    Files.writeString(state.resolve(NodeIdentity.FILE), "forgotten-token\n");
    URI api = serve(401, 201);
    assertEquals(17, registrar(api, 7).register());
    assertEquals(List.of("Bearer forgotten-token", "Bearer s3cret"), auths);
    assertEquals("node-tok-2", Files.readString(state.resolve(NodeIdentity.FILE)).strip());
    assertTrue(sleeps.isEmpty(), "no wait between the two: " + sleeps);
  }

  @Test
  void retriesWithGrowingJitteredWaitsUntilTheApiAnswers() throws Exception {
    URI api = serve(503, 502, 500, 201);
    Registrar r = registrar(api, 1);

    assertEquals(17, r.register());

    assertEquals(4, bodies.size());
    assertEquals(3, sleeps.size());
    for (int i = 0; i < sleeps.size(); i++) {
      assertTrue(sleeps.get(i).toMillis() <= 500L << i, "wait " + i + " is within its ceiling: " + sleeps.get(i));
    }
    assertEquals("Bearer s3cret", auths.get(0));
    assertEquals("{\"hostname\":\"w-\\\"quoted\\\"\",\"ip\":\"127.0.0.1\",\"ssh_port\":2201,\"host_key\":\"" + KEY
        + "\",\"pool\":\"gpu\",\"labels\":{\"zone\":\"eu-1\"}}", bodies.get(0));
  }

  @Test
  void keepsTryingWhileNothingListens() throws Exception {
    int port = Ports.free(); // nothing listens there: connections are refused
    AgentConfig cfg = config(URI.create("http://127.0.0.1:" + port));
    List<Duration> waits = new ArrayList<>();
    Registrar r = new Registrar(http, cfg, NodeIdentity.in(state), Backoff.standard(new Random(2)), d -> {
      waits.add(d);
      if (waits.size() == 3) {
        serveOn(port);
      }
    });

    assertEquals(17, r.register());
    assertEquals(3, waits.size());
  }

  @Test
  void alreadyRegisteredIsSuccessToo() throws Exception {
    Registrar r = registrar(serve(200), 3);
    assertEquals(17, r.register());
    assertTrue(sleeps.isEmpty());
  }

  @Test
  void answersNoRetryCanChangeStopTheAgentWithTheApisReason() throws Exception {
    for (int status : new int[] {400, 401, 403, 404, 409}) {
      bodies.clear();
      Registrar r = registrar(serve(status, 201), 4);
      Refused e = assertThrows(Refused.class, r::register, "HTTP " + status);
      server.stop(0);
      assertEquals(status, e.status());
      assertTrue(e.getMessage().contains("HTTP " + status) && e.getMessage().contains("the reason for " + status),
          e.getMessage());
      assertEquals(1, bodies.size(), "asked once, never again: " + status);
    }
    assertTrue(sleeps.isEmpty(), "no waiting before giving up: " + sleeps);
  }

  @Test
  void aRefusedEnrollmentTokenIsNamed() throws Exception {
    Refused e = assertThrows(Refused.class, registrar(serve(401), 4)::register);
    assertTrue(e.getMessage().contains("ORION_AGENT_TOKEN"), e.getMessage());
    Refused taken = assertThrows(Refused.class, registrar(serve(409), 4)::register);
    assertTrue(taken.getMessage().contains("an admin must forget the node"), taken.getMessage());
  }

  @Test
  void throttlingAndTimeoutsAreRetriedWithBackoff() throws Exception {
    Registrar r = registrar(serve(429, 408, 503, 201), 8);
    assertEquals(17, r.register());
    assertEquals(4, bodies.size());
    assertEquals(3, sleeps.size());
  }

  @Test
  void aForgottenNodesTokenIsDroppedAndTheWorkerEnrollsAgain() throws Exception {
    Files.createDirectories(state);
    Files.writeString(state.resolve(NodeIdentity.FILE), "forgotten-token\n");
    URI api = serve(410, 201);
    assertEquals(17, registrar(api, 9).register());
    assertEquals(List.of("Bearer forgotten-token", "Bearer s3cret"), auths);
    assertEquals("node-tok-2", Files.readString(state.resolve(NodeIdentity.FILE)).strip());
    assertTrue(sleeps.isEmpty(), "no wait between the two: " + sleeps);
  }

  @Test
  void anEnrollmentRefusedAfterADroppedTokenStopsInsteadOfLooping() throws Exception {
    Files.createDirectories(state);
    Files.writeString(state.resolve(NodeIdentity.FILE), "stale-token\n");
    Refused e = assertThrows(Refused.class, registrar(serve(401), 10)::register);
    assertEquals(List.of("Bearer stale-token", "Bearer s3cret"), auths);
    assertTrue(e.getMessage().contains("ORION_AGENT_TOKEN"), e.getMessage());
  }

  @Test
  void omitsPoolWhenUnset() {
    AgentConfig c = new AgentConfig(URI.create("http://x"), "t", "h", "1.2.3.4", 22, KEY, null, Map.of(), Duration.ofSeconds(1),
        Path.of("/var/lib/orion-agent"));
    assertEquals("{\"hostname\":\"h\",\"ip\":\"1.2.3.4\",\"ssh_port\":22,\"host_key\":\"" + KEY + "\",\"labels\":{}}",
        Registrar.body(c));
  }

  /** Serves the given heartbeat answers in order, the last one forever, with a problem detail. */
  Heartbeater heartbeater(int... statuses) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    int[] n = {0};
    server.createContext("/api/workers/heartbeat", ex -> {
      bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      int status = statuses[Math.min(n[0]++, statuses.length - 1)];
      respond(ex, status, status == 204 ? "" : "{\"type\":\"about:blank\",\"title\":\"x\",\"status\":" + status
          + ",\"detail\":\"the reason for " + status + "\"}");
    });
    server.start();
    return new Heartbeater(http, config(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
        NodeIdentity.in(state), new SystemStats(java.nio.file.Path.of("/proc")), recordingSleeper);
  }

  @Test
  void heartbeatsKeepGoingThroughWhatMayPassThenEnrollAgainOnceForgotten() throws Exception {
    Files.createDirectories(state);
    Files.writeString(state.resolve(NodeIdentity.FILE), "node-token\n");
    Heartbeater h = heartbeater(503, 429, 204, 410);
    assertEquals(410, h.runUntilIdentityLost());
    assertEquals(4, bodies.size());
    assertEquals(3, sleeps.size(), "it waited its interval after each of the others");
    assertFalse(Files.exists(state.resolve(NodeIdentity.FILE)), "the forgotten node's token is dropped");
    assertTrue(bodies.get(2).matches("\\{\"hostname\":\"w-\\\\\"quoted\\\\\"\",\"cpu_percent\":[0-9.]+,\"mem_percent\":[0-9.]+,\"load_source\":\"[a-z0-9-]+\"}"),
        bodies.get(2));
  }

  @Test
  void heartbeatAnswersNoRetryCanChangeStopTheAgent() throws Exception {
    for (int status : new int[] {400, 401, 403, 404}) {
      bodies.clear();
      Heartbeater h = heartbeater(status, 204);
      Refused e = assertThrows(Refused.class, h::runUntilIdentityLost);
      server.stop(0);
      assertEquals(status, e.status());
      assertTrue(e.getMessage().contains("the reason for " + status), e.getMessage());
      assertEquals(1, bodies.size());
    }
  }

  private void serveOn(int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      server.createContext("/api/workers/register", ex -> respond(ex, 201, "{\"message\":\"Worker registered\",\"node_id\":17}"));
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }
}
