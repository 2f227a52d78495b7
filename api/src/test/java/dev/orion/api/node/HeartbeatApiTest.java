package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
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
}
