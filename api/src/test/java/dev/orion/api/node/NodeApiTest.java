package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.http.RenderedJson;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.ssh.HostKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeApiTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String body(String hostname, String key) {
    return Http.json(Map.of("hostname", hostname, "ip", "127.0.0.1", "ssh_port", 2201, "host_key", key,
        "pool", "gpu", "labels", Map.of("zone", "a")));
  }

  @Test
  void firstRegistrationPinsTheKeyAndIssuesANodeTokenForTheRepeats() {
    String key = TestKeys.ed25519();
    Http.Response first = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-pin", key));
    assertEquals(201, first.status(), first.body());
    assertEquals("Worker registered", first.json().get("message").asText());
    String token = first.json().get("node_token").asText();
    assertTrue(token.length() >= 43, token);
    String stored = api.db.jdbi().withHandle(h -> h.createQuery("SELECT token_hash FROM nodes WHERE hostname = 'w-pin'")
        .mapTo(String.class).one());
    assertEquals(dev.orion.api.auth.NodeTokens.hash(token), stored, "only the SHA-256 is kept");
    Http.Response again = api.http.post("/api/workers/register", token, body("w-pin", key));
    assertEquals(200, again.status(), again.body());
    assertEquals("Worker already registered", again.json().get("message").asText());
    assertEquals(first.json().get("node_id"), again.json().get("node_id"));
    assertTrue(again.json().get("node_token") == null, "the token is shown once: " + again.body());

    String before = api.snapshot();
    Http.Response enrollAgain = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-pin", key));
    assertEquals(409, enrollAgain.status(), "the enrollment token cannot take over a known hostname");
    assertTrue(enrollAgain.isProblem());
    Http.Response changed = api.http.post("/api/workers/register", token, body("w-pin", TestKeys.ed25519()));
    assertEquals(409, changed.status());
    assertTrue(changed.isProblem());
    assertTrue(changed.json().get("detail").asText().contains("forget"), changed.body());
    assertEquals(401, api.http.post("/api/workers/register", "forged-" + token, body("w-pin", key)).status());
    assertEquals(before, api.snapshot());

    long id = first.json().get("node_id").asLong();
    String user = api.newUser("nodes");
    assertEquals(403, api.http.delete("/api/nodes/" + id, user).status());
    assertEquals(204, api.http.delete("/api/nodes/" + id, api.adminToken()).status());
    assertEquals(404, api.http.delete("/api/nodes/" + id, api.adminToken()).status());
    Http.Response gone = api.http.post("/api/workers/register", token, body("w-pin", key));
    assertEquals(410, gone.status(), "the forgotten node's token is void: " + gone);
    assertTrue(gone.isProblem());
    Http.Response fresh = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-pin", TestKeys.ed25519()));
    assertEquals(201, fresh.status(), "a forgotten node registers again with its new key");
    assertNotEquals(id, fresh.json().get("node_id").asLong());
    assertEquals(409, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-pin", key)).status(),
        "the new node's hostname is taken again");
  }

  @Test
  void operatorFieldsAreForAdminsOnly() {
    String key = TestKeys.ed25519();
    long id = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-fields", key)).json()
        .get("node_id").asLong();
    List<String> everyone = List.of("node_id", "hostname", "ssh_port", "status", "allocated", "pool", "labels",
        "load", "lease");
    JsonNode seen = byId(api.http.get("/api/nodes", api.newUser("fields")).json(), id);
    assertEquals(everyone, fieldNames(seen));
    assertEquals("gpu", seen.get("pool").asText());
    assertEquals("a", seen.get("labels").get("zone").asText());
    assertTrue(seen.get("lease").isNull());

    JsonNode admin = byId(api.http.get("/api/nodes", api.adminToken()).json(), id);
    assertEquals(List.of("node_id", "hostname", "ip", "ssh_port", "status", "allocated", "clean", "pool", "labels",
        "load", "host_key_fingerprint", "last_seen_at", "lease"), fieldNames(admin));
    assertEquals("127.0.0.1", admin.get("ip").asText());
    assertEquals(HostKeys.fingerprint(key), admin.get("host_key_fingerprint").asText());
    assertFalse(admin.get("clean").asBoolean(), "a new node is scrubbed before anyone can rent it");
  }

  private static JsonNode byId(JsonNode nodes, long id) {
    for (JsonNode n : nodes) {
      if (n.get("node_id").asLong() == id) {
        return n;
      }
    }
    throw new AssertionError("node " + id + " not listed in " + nodes);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void concurrentFirstRegistrationsMakeOneNodeAndOneToken() throws Exception {
    String key = TestKeys.ed25519();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<Http.Response>> answers = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      answers.add(pool.submit(() -> api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body("w-race", key))));
    }
    int created = 0;
    for (Future<Http.Response> f : answers) {
      Http.Response r = f.get();
      assertTrue(r.status() == 201 || r.status() == 409, r.toString());
      created += r.status() == 201 ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(1, created);
    int rows = api.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE hostname = 'w-race'")
        .mapTo(Integer.class).one());
    assertEquals(1, rows);
  }

  @Test
  void agentsNeedTheEnrollmentTokenOrANodeToken() {
    String before = api.snapshot();
    for (String token : new String[] {null, "wrong-token-wrong-token", ""}) {
      Http.Response r = api.http.post("/api/workers/register", token, body("w-token", TestKeys.ed25519()));
      assertEquals(401, r.status(), String.valueOf(token));
      assertTrue(r.isProblem());
    }
    String userToken = api.newUser("agent");
    assertEquals(401, api.http.post("/api/workers/register", userToken, body("w-token", TestKeys.ed25519())).status(),
        "a user's JWT is not an enrollment token");
    assertEquals(before.replaceAll("users=\\d+;", ""), api.snapshot().replaceAll("users=\\d+;", ""));
  }

  @Test
  void badRegistrationsAreRefusedAndChangeNothing() {
    String key = TestKeys.ed25519();
    String[] bodies = {
        "", "{", "[]", "{\"hostname\":\"w\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":\"22\",\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22.5,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":0,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":70000,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":99999999999,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"not-an-ip\",\"ssh_port\":22,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w bad;\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"" + key + "\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"ssh-ed25519 AAAAnot-base64!\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"" + key + "\",\"extra\":1}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"" + key + "\",\"pool\":\"UPPER CASE\"}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"" + key + "\",\"labels\":[1]}",
        "{\"hostname\":\"w-bad\",\"ip\":\"127.0.0.1\",\"ssh_port\":22,\"host_key\":\"" + key + "\",\"labels\":{\"_x\":\"1\"}}",
    };
    String before = api.snapshot();
    for (String b : bodies) {
      Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, b);
      assertEquals(400, r.status(), b + " -> " + r);
      assertTrue(r.isProblem());
    }
    assertEquals(before, api.snapshot());
  }

  @Test
  void nodeListIsTheSameGzippedOrNot() {
    for (int i = 0; i < 16; i++) { // a list long enough to be worth compressing
      assertEquals(201, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN,
          body("w-gzip-" + i, TestKeys.ed25519())).status());
    }
    for (String token : new String[] {api.newUser("gzip"), api.adminToken()}) {
      Http.Response plain = api.http.get("/api/nodes", token);
      assertTrue(plain.body().length() >= RenderedJson.MIN_GZIP_BYTES, "long enough to be compressed");
      Http.Response gzipped = api.http.getGzip("/api/nodes", token);
      assertEquals(200, gzipped.status());
      assertEquals(null, plain.contentEncoding());
      assertEquals("gzip", gzipped.contentEncoding());
      assertTrue(gzipped.contentType().startsWith("application/json"), gzipped.contentType());
      assertEquals(plain.json(), gzipped.json());
      assertTrue(plain.body().contains("\"w-gzip-15\""), plain.body());
    }
  }

  @Test
  void badNodeIdsAreNotFound() {
    String admin = api.adminToken();
    for (String id : new String[] {"0", "-1", "abc", "99999999", "1.5", "9999999999999999999999"}) {
      Http.Response r = api.http.delete("/api/nodes/" + id, admin);
      assertEquals(404, r.status(), id + " -> " + r);
      assertTrue(r.isProblem());
    }
  }
}
