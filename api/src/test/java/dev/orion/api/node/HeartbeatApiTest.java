package dev.orion.api.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agent heartbeats land on the node row, where the schedulers' health checks read them. */
class HeartbeatApiTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void aRegisteredWorkersHeartbeatIsStored() {
    ApiHarness.Enrolled node = api.enroll("w-beat", 2202, TestKeys.ed25519());
    long id = node.nodeId();
    Http.Response r = api.http.post("/api/workers/heartbeat", node.nodeToken(),
        Http.json(Map.of("hostname", "w-beat", "cpu_percent", 12.5, "mem_percent", 40.0)));
    assertEquals(204, r.status(), r.body());
    Map<String, Object> row = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT last_heartbeat_at, cpu_percent, mem_percent FROM nodes WHERE id = :id").bind("id", id).mapToMap().one());
    assertNotNull(row.get("last_heartbeat_at"));
    assertEquals(12.5, ((Number) row.get("cpu_percent")).doubleValue());
    assertEquals(40.0, ((Number) row.get("mem_percent")).doubleValue());
    Instant beat = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT last_heartbeat_at FROM nodes WHERE id = :id").bind("id", id).mapTo(Instant.class).one());
    assertTrue(beat.isAfter(Instant.now().minusSeconds(60)), "stored as UTC: " + beat);
  }

  @Test
  void badHeartbeatsChangeNothing() {
    String token = api.enroll("w-beat-bad", 2203, TestKeys.ed25519()).nodeToken();
    String other = api.enroll("w-beat-other", 2204, TestKeys.ed25519()).nodeToken();
    String before = api.snapshot();
    assertEquals(401, api.http.post("/api/workers/heartbeat", "wrong-token",
        Http.json(Map.of("hostname", "w-beat-bad"))).status(), "a forged node token");
    Http.Response enrollment = api.http.post("/api/workers/heartbeat", ApiHarness.AGENT_TOKEN,
        Http.json(Map.of("hostname", "w-beat-bad")));
    assertEquals(401, enrollment.status(), "the shared enrollment token does not heartbeat: " + enrollment);
    assertTrue(enrollment.isProblem());
    Http.Response someoneElse = api.http.post("/api/workers/heartbeat", other,
        Http.json(Map.of("hostname", "w-beat-bad")));
    assertEquals(409, someoneElse.status(), "one node's token does not speak for another: " + someoneElse);
    assertEquals(400, api.http.post("/api/workers/heartbeat", token,
        Http.json(Map.of("hostname", "w-beat-bad", "cpu_percent", 250))).status());
    assertEquals(400, api.http.post("/api/workers/heartbeat", token, "{\"hostname\":").status());
    assertEquals(before, api.snapshot());
  }

  /** Load is public node information: every signed-in user sees the class and its label. */
  @Test
  void heartbeatsGiveTheNodeALoadClassEveryoneSees() {
    ApiHarness.Enrolled node = api.enroll("w-beat-load", 2205, TestKeys.ed25519());
    String user = api.newUser("load");
    assertTrue(nodeOf(user, node.nodeId()).get("load").isNull(), "no heartbeat yet, no load");
    Http.Response r = api.http.post("/api/workers/heartbeat", node.nodeToken(), Http.json(Map.of(
        "hostname", "w-beat-load", "cpu_percent", 80.0, "mem_percent", 10.0, "load_source", "cgroup-v1")));
    assertEquals(204, r.status(), r.body());
    // the node list is a snapshot at most ORION_NODE_LIST_MAX_AGE old; heartbeats do not drop it
    com.fasterxml.jackson.databind.JsonNode seen = await().atMost(Duration.ofSeconds(30))
        .until(() -> nodeOf(user, node.nodeId()), n -> !n.get("load").isNull());
    assertEquals("high", seen.get("load").get("class").asText());
    assertEquals(80.0, seen.get("load").get("cpu_percent").asDouble());
    assertEquals("cgroup-v1", seen.get("load").get("source").asText());
    assertEquals("high", seen.get("labels").get("orion.io/cpu-class").asText());

    // an alert firing about the node wins over the heartbeats while it fires
    api.db.jdbi().useHandle(h -> h.execute("INSERT INTO node_alert_classes (fingerprint, node_id, alertname,"
        + " load_class, group_key, starts_at, updated_at) VALUES ('f1', ?, 'OrionNodeCpuModerate', 'moderate',"
        + " 'g', ?, ?)", node.nodeId(), Instant.now(), Instant.now()));
    seen = await().atMost(Duration.ofSeconds(30))
        .until(() -> nodeOf(user, node.nodeId()), n -> n.get("load").get("class").asText().equals("moderate"));
    assertEquals("alertmanager", seen.get("load").get("source").asText());
    assertEquals("moderate", seen.get("labels").get("orion.io/cpu-class").asText());

    assertEquals(400, api.http.post("/api/workers/heartbeat", node.nodeToken(), Http.json(Map.of(
        "hostname", "w-beat-load", "cpu_percent", 1.0, "mem_percent", 1.0, "load_source", "guess"))).status());
  }

  private static com.fasterxml.jackson.databind.JsonNode nodeOf(String token, long id) {
    for (com.fasterxml.jackson.databind.JsonNode n : api.http.get("/api/nodes", token).json()) {
      if (n.get("node_id").asLong() == id) {
        return n;
      }
    }
    throw new AssertionError("node " + id + " not listed");
  }
}
