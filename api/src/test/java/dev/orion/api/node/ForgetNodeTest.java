package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.agent.Agent;
import dev.orion.agent.Sleeper;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.common.ssh.HostKeys;
import dev.orion.testkit.SandboxWorker;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forgetting a node keeps its leases' history: a real lease on a real sandbox worker, the node
 * forgotten, and the lease still shows where it ran; the node's agent is told 410 and the machine
 * enrolls again as a new node.
 */
class ForgetNodeTest {
  static ApiHarness api;
  static SandboxWorker worker;

  @BeforeAll
  static void start() throws Exception {
    api = ApiHarness.start();
    worker = SandboxWorker.start("forget");
  }

  @AfterAll
  static void stop() {
    SandboxWorker.closeAll(List.of(worker));
    api.close();
  }

  @Test
  void aForgottenNodesLeasesKeepTheirHostAndItsAgentEnrollsAgainAsANewNode() throws Exception {
    long node = api.register(worker);
    String nodeToken = java.nio.file.Files.readString(
        worker.dir().resolve("agent-" + api.app.port()).resolve("node_token")).strip();
    String admin = api.adminToken();
    String user = api.newUser("forget");
    Http.Response rent = api.http.post("/api/rent", user, "{\"duration_hours\":1,\"count\":1}");
    assertEquals(201, rent.status(), rent.body());
    long rental = rent.json().get(0).get("rental_id").asLong();
    assertEquals(node, rent.json().get(0).get("node_id").asLong());

    // A node that holds a lease is not forgotten: the answer names the lease, nothing changes.
    String before = api.snapshot();
    Http.Response busy = api.http.delete("/api/nodes/" + node, admin);
    assertEquals(409, busy.status(), busy.body());
    assertTrue(busy.isProblem());
    assertTrue(busy.json().get("detail").asText().contains("lease " + rental), busy.body());
    assertEquals(before, api.snapshot());

    assertEquals(200, api.http.post("/api/release/" + rental, user, null).status());
    assertEquals(204, api.http.delete("/api/nodes/" + node, admin).status());
    assertEquals(404, api.http.delete("/api/nodes/" + node, admin).status(), "forgotten already");

    // Hidden from the node list, for users and admins alike.
    for (String token : new String[] {user, admin}) {
      for (JsonNode n : api.http.get("/api/nodes", token).json()) {
        assertNotEquals(node, n.get("node_id").asLong(), "a forgotten node is not listed: " + n);
      }
    }
    // The lease still says where it ran, in the list and on its own.
    String fingerprint = HostKeys.fingerprint(worker.hostKey());
    JsonNode listed = null;
    for (JsonNode r : api.http.get("/api/rentals?all=true", user).json()) {
      if (r.get("rental_id").asLong() == rental) {
        listed = r;
      }
    }
    assertTrue(listed != null, "the ended lease of a forgotten node is still listed");
    JsonNode detail = api.http.get("/api/rentals/" + rental, user).json();
    for (JsonNode r : new JsonNode[] {listed, detail}) {
      assertEquals(node, r.get("node_id").asLong());
      assertEquals(worker.ip(), r.get("host_ip").asText());
      assertEquals(worker.port(), r.get("ssh_port").asInt());
      assertEquals(fingerprint, r.get("host_key_fingerprint").asText());
      assertEquals("released", r.get("end_reason").asText());
    }
    assertEquals(List.of("provisioning", "active", "ended"), detail.get("events").findValuesAsText("to_status"));
    // Never rentable again, even were it clean (the release left it dirty): the only worker is forgotten.
    api.db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET clean = TRUE WHERE id = ?", node));
    Http.Response none = api.http.post("/api/rent", user, "{\"duration_hours\":1,\"count\":1}");
    assertEquals(409, none.status(), none.body());

    // Its agent learns it is gone (410, problem+json, not a bare 401 or 404)...
    Http.Response beat = api.http.post("/api/workers/heartbeat", nodeToken,
        Http.json(Map.of("hostname", worker.name(), "cpu_percent", 1.0, "mem_percent", 2.0)));
    assertEquals(410, beat.status(), beat.body());
    assertTrue(beat.isProblem());
    assertTrue(beat.json().get("detail").asText().contains("enroll again"), beat.body());
    Http.Response again = api.http.post("/api/workers/register", nodeToken, Http.json(Map.of(
        "hostname", worker.name(), "ip", worker.ip(), "ssh_port", worker.port(), "host_key", worker.hostKey())));
    assertEquals(410, again.status(), again.body());
    assertTrue(again.isProblem());
    assertTrue(api.db.jdbi().<Boolean, RuntimeException>withHandle(h -> h.createQuery(
        "SELECT last_heartbeat_at IS NULL FROM nodes WHERE id = :id").bind("id", node).mapTo(Boolean.class).one()),
        "a forgotten node's heartbeat is not recorded");

    // ...and its real agent, heartbeating, is told so, drops its token and enrolls again with the
    // enrollment token: a new node, its host key pinned anew.
    Agent agent = new Agent(HttpClient.newHttpClient(), api.agentConfig(worker), Sleeper.REAL);
    assertEquals(410, agent.heartbeatUntilForgotten());
    long fresh = agent.register();
    assertNotEquals(node, fresh);
    String freshToken = java.nio.file.Files.readString(
        worker.dir().resolve("agent-" + api.app.port()).resolve("node_token")).strip();
    assertNotEquals(nodeToken, freshToken);
    assertEquals(204, api.http.post("/api/workers/heartbeat", freshToken,
        Http.json(Map.of("hostname", worker.name(), "cpu_percent", 1.0, "mem_percent", 2.0))).status());
    assertEquals(410, api.http.post("/api/workers/heartbeat", nodeToken,
        Http.json(Map.of("hostname", worker.name()))).status(), "the old token stays void");

    // The machine that came back starts unclean: nobody rents it before it is scrubbed.
    assertFalse(api.db.jdbi().<Boolean, RuntimeException>withHandle(h -> h.createQuery(
        "SELECT clean FROM nodes WHERE id = :id").bind("id", fresh).mapTo(Boolean.class).one()));
    Http.Response unclean = api.http.post("/api/rent", user, "{\"duration_hours\":1,\"count\":1}");
    assertEquals(409, unclean.status(), unclean.body());
    api.scrub(fresh, worker);
    Http.Response rentedAgain = api.http.post("/api/rent", user, "{\"duration_hours\":1,\"count\":1}");
    assertEquals(201, rentedAgain.status(), rentedAgain.body());
    assertEquals(fresh, rentedAgain.json().get(0).get("node_id").asLong());
    assertEquals(200, api.http.post("/api/release/" + rentedAgain.json().get(0).get("rental_id").asLong(), user,
        null).status());
    assertEquals(fingerprint, api.http.get("/api/rentals/" + rental, user).json().get("host_key_fingerprint").asText(),
        "the old lease still points at the forgotten node");
    assertEquals(List.of("forgotten", "alive"), api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT status FROM nodes WHERE hostname = :h ORDER BY id").bind("h", worker.name()).mapTo(String.class).list()));

    // Both transitions are node events, saying who and why.
    List<Map<String, Object>> events = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT node_id, actor, from_status, to_status, reason FROM events WHERE kind = 'node' AND node_id IN (:a, :b)"
            + " ORDER BY seq").bind("a", node).bind("b", fresh).mapToMap().list());
    assertEquals(3, events.size(), events.toString());
    assertEquals(node, ((Number) events.get(1).get("node_id")).longValue());
    assertEquals("alive", events.get(1).get("from_status"));
    assertEquals("forgotten", events.get(1).get("to_status"));
    assertEquals("user:" + ApiHarness.ADMIN, events.get(1).get("actor"));
    assertEquals(fresh, ((Number) events.get(2).get("node_id")).longValue());
    assertEquals(null, events.get(2).get("from_status"));
    assertEquals("alive", events.get(2).get("to_status"));
    assertTrue(events.get(2).get("reason").toString().contains("node " + node + " of this hostname was forgotten"),
        events.get(2).toString());
    assertFalse(events.get(0).get("reason").toString().contains("forgotten"), events.get(0).toString());
  }
}
