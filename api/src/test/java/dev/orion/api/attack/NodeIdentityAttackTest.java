package dev.orion.api.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TcpProxy;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the shared enrollment token and a worker's public host key (anyone can ssh-keyscan it) no
 * longer let an attacker do: re-point a registered node, fake its heartbeats, or move it to an
 * address where the pinned key is not. The real owner, with its node token, moves only to an
 * address where the API itself has seen the pinned key.
 */
class NodeIdentityAttackTest {
  static ApiHarness api;
  static SandboxWorker victim;
  static SandboxWorker other;
  static long nodeId;
  static String nodeToken;

  @BeforeAll
  static void start() throws Exception {
    api = ApiHarness.start();
    victim = SandboxWorker.start("ident-victim");
    other = SandboxWorker.start("ident-other");
    nodeId = api.register(victim);
    nodeToken = Files.readString(victim.dir().resolve("agent-" + api.app.port()).resolve("node_token")).strip();
  }

  @AfterAll
  static void stop() {
    SandboxWorker.closeAll(List.of(victim, other));
    api.close();
  }

  private static String body(String ip, int port, String hostKey) {
    return Http.json(Map.of("hostname", victim.name(), "ip", ip, "ssh_port", port, "host_key", hostKey));
  }

  private static JsonNode node() {
    for (JsonNode n : api.http.get("/api/nodes", api.adminToken()).json()) {
      if (n.get("node_id").asLong() == nodeId) {
        return n;
      }
    }
    throw new AssertionError("node " + nodeId + " is gone");
  }

  @Test
  void theEnrollmentTokenAndTheScannedHostKeyCannotRePointARegisteredNode() {
    String before = api.snapshot();
    Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, body(victim.ip(), 1, victim.hostKey()));
    assertEquals(409, r.status(), r.toString());
    assertTrue(r.isProblem());
    assertEquals(before, api.snapshot());
    assertEquals(victim.port(), node().get("ssh_port").asInt());
  }

  /**
   * A node without a token of its own (registered before node tokens) cannot be claimed with the
   * enrollment token either, not even with its recorded address and its host key, which someone
   * who once leased it knows.
   */
  @Test
  void aNodeWithoutATokenCannotBeClaimedWithTheEnrollmentToken() {
    String key = dev.orion.api.support.TestKeys.ed25519();
    long id = api.enroll("ident-old", 2299, key).nodeId();
    api.db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET token_hash = NULL WHERE id = ?", id));
    String before = api.snapshot();
    Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
        "hostname", "ident-old", "ip", "127.0.0.1", "ssh_port", 2299, "host_key", key)));
    assertEquals(409, r.status(), r.toString());
    assertTrue(r.json().get("node_token") == null, r.body());
    assertEquals(before, api.snapshot());
  }

  @Test
  void forgedNodeTokensAreRefusedForRegistrationAndHeartbeats() {
    String before = api.snapshot();
    for (String forged : new String[] {"x", nodeToken + "x", nodeToken.substring(1), "A".repeat(43),
        ApiHarness.JWT_SECRET}) {
      Http.Response reg = api.http.post("/api/workers/register", forged, body(victim.ip(), 1, victim.hostKey()));
      assertEquals(401, reg.status(), forged + ": " + reg);
      assertTrue(reg.isProblem());
      Http.Response beat = api.http.post("/api/workers/heartbeat", forged,
          Http.json(Map.of("hostname", victim.name(), "cpu_percent", 1.0)));
      assertEquals(401, beat.status(), forged + ": " + beat);
    }
    assertEquals(401, api.http.post("/api/workers/heartbeat", ApiHarness.AGENT_TOKEN,
        Http.json(Map.of("hostname", victim.name()))).status(), "nor can the enrollment token heartbeat");
    assertEquals(before, api.snapshot());
  }

  @Test
  void evenTheNodeTokenMovesANodeOnlyWhereThePinnedKeyAnswers() throws Exception {
    String before = api.snapshot();
    // Nothing listens on port 1; the other worker answers with a different host key.
    for (String[] at : new String[][] {{victim.ip(), "1"}, {other.ip(), Integer.toString(other.port())}}) {
      Http.Response r = api.http.post("/api/workers/register", nodeToken,
          body(at[0], Integer.parseInt(at[1]), victim.hostKey()));
      assertEquals(409, r.status(), String.join(":", at) + ": " + r);
      assertTrue(r.json().get("detail").asText().contains("pinned host key"), r.body());
    }
    assertEquals(before, api.snapshot());
    assertEquals(victim.port(), node().get("ssh_port").asInt());

    // A new address where the same sshd answers (a restarted container, a new port mapping).
    try (TcpProxy moved = new TcpProxy(victim.ip(), victim.port())) {
      Http.Response r = api.http.post("/api/workers/register", nodeToken, body("127.0.0.1", moved.port(), victim.hostKey()));
      assertEquals(200, r.status(), r.toString());
      assertEquals(nodeId, r.json().get("node_id").asLong());
      assertEquals(moved.port(), node().get("ssh_port").asInt());
      // and back
      assertEquals(200, api.http.post("/api/workers/register", nodeToken,
          body(victim.ip(), victim.port(), victim.hostKey())).status());
    }
    assertEquals(victim.port(), node().get("ssh_port").asInt());
  }
}
