package dev.orion.api.rental;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.ClientSsh;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.ssh.HostKeys;
import dev.orion.testkit.SandboxWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API with three real sandbox workers: rent, log in over SSH, extend, release, reset. */
class RentalE2eTest {
  static ApiHarness api;
  static final List<SandboxWorker> WORKERS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    api = ApiHarness.start();
    for (int i = 0; i < 3; i++) {
      SandboxWorker w = SandboxWorker.start("e2e-" + i);
      WORKERS.add(w);
      api.register(w);
    }
  }

  @AfterAll
  static void stop() {
    SandboxWorker.closeAll(WORKERS);
    api.close();
  }

  @AfterEach
  void resetLeases() {
    assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
  }

  static SandboxWorker worker(JsonNode credentials) {
    // host_ip is the worker's own address in its network namespace, not the host's.
    String ip = credentials.get("host_ip").asText();
    int port = credentials.get("ssh_port").asInt();
    return WORKERS.stream().filter(w -> w.ip().equals(ip) && w.port() == port).findFirst().orElseThrow();
  }

  @Test
  void rentLogInExtendRelease() throws Exception {
    String token = api.newUser("e2e.user");
    Http.Response rent = api.http.post("/api/rent", token, "{\"duration_hours\":1.5,\"count\":1}");
    assertEquals(201, rent.status(), rent.body());
    JsonNode c = rent.json().get(0);
    String user = c.get("client_user").asText();
    String pass = c.get("client_pass").asText();
    assertTrue(user.startsWith("c_e2e_user"), user);
    assertTrue(pass.length() >= 20);
    SandboxWorker w = worker(c);
    assertEquals(HostKeys.fingerprint(w.hostKey()), c.get("host_key_fingerprint").asText());
    Instant until = Instant.parse(c.get("leased_until").asText());
    assertTrue(Duration.between(Instant.now(), until).toMinutes() >= 89);

    assertEquals(user, ClientSsh.runWithPassword(c.get("host_ip").asText(), w.port(), w.hostKey(), user, pass, "whoami").trim());
    assertTrue(w.hasUser(user));
    assertFalse(Files.readString(Path.of("/etc/passwd")).contains(user + ":"), "the host never gets the user");

    long id = c.get("rental_id").asLong();
    JsonNode detail = api.http.get("/api/rentals/" + id, token).json();
    assertEquals("active", detail.get("status").asText());
    assertEquals(w.port(), detail.get("ssh_port").asInt());
    assertEquals(List.of("provisioning", "active"), statuses(detail));

    Http.Response ext = api.http.post("/api/extend/" + id, token, "{\"additional_hours\":0.5}");
    assertEquals(200, ext.status(), ext.body());
    assertEquals(until.plus(Duration.ofMinutes(30)), Instant.parse(ext.json().get("new_end_at").asText()));
    assertEquals(id, ext.json().get("lease_id").asLong());

    JsonNode mine = api.http.get("/api/nodes", token).json();
    assertEquals(mine, api.http.getGzip("/api/nodes", token).json(), "a lease owner's own list, gzip accepted");
    long leased = 0;
    for (JsonNode n : mine) {
      if (!n.get("lease").isNull()) {
        leased++;
        assertEquals(id, n.get("lease").get("rental_id").asLong());
        assertFalse(n.has("ip"), "a user gets its node's address from the rent answer and GET /api/rentals");
      }
    }
    assertEquals(1, leased);

    Http.Response rel = api.http.post("/api/release/" + id, token, null);
    assertEquals(200, rel.status(), rel.body());
    assertEquals("Lease released", rel.json().get("message").asText());
    assertFalse(w.hasUser(user), "release removes the user on the worker");
    assertEquals(409, api.http.post("/api/release/" + id, token, null).status());
    assertEquals(409, api.http.post("/api/extend/" + id, token, "{\"additional_hours\":1}").status());
    JsonNode after = api.http.get("/api/rentals/" + id, token).json();
    assertEquals("ended", after.get("status").asText());
    assertEquals("released", after.get("end_reason").asText());
    assertEquals(0, api.http.get("/api/rentals", token).json().size());
    assertEquals(1, api.http.get("/api/rentals?all=true", token).json().size());
    JsonNode node = nodeById(api.http.get("/api/nodes", api.adminToken()).json(), c.get("node_id").asLong());
    assertFalse(node.get("allocated").asBoolean());
    assertTrue(node.get("clean").asBoolean());
  }

  @Test
  void publicKeyAndOwnPasswordWork() throws Exception {
    String token = api.newUser("keys");
    ClientSsh.KeyPair key = ClientSsh.newKeyPair();
    Http.Response rent = api.http.post("/api/rent", token, Http.json(Map.of("duration_minutes", 30,
        "ssh_password", "my own pass 1", "ssh_public_key", key.publicKeyLine())));
    assertEquals(201, rent.status(), rent.body());
    JsonNode c = rent.json().get(0);
    assertEquals("my own pass 1", c.get("client_pass").asText());
    SandboxWorker w = worker(c);
    String user = c.get("client_user").asText();
    assertEquals(user, ClientSsh.runWithKey(w.ip(), w.port(), w.hostKey(), user, key, "whoami").trim());
    assertEquals(user, ClientSsh.runWithPassword(w.ip(), w.port(), w.hostKey(), user, "my own pass 1", "whoami").trim());
    String stored = api.db.jdbi().withHandle(h -> h.createQuery("SELECT password_crypt FROM rentals WHERE id = :id")
        .bind("id", c.get("rental_id").asLong()).mapTo(String.class).one());
    assertTrue(stored.startsWith("$6$"), "only the SHA-512 crypt hash is stored");
    assertFalse(stored.contains("my own pass 1"));
  }

  @Test
  void aRentFailingOnTheWorkerSideLeavesNoNodeBehind() {
    String token = api.newUser("nul");
    // A NUL cannot be passed to a worker's shell: the account step throws on both workers at once.
    String key = TestKeys.ed25519() + " comment\u0000x";
    Http.Response r = api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":2,\"ssh_public_key\":\""
        + key + "\"}");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.isProblem());
    assertEquals(0, (int) api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM rentals WHERE status <> 'ended'").mapTo(Integer.class).one()), "nothing provisioning");
    assertEquals(201, api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":3}").status(),
        "every node is rentable again");
  }

  @Test
  void releaseOfALeaseStillProvisioningAsksToRetryUntilItIsRescued() {
    String admin = api.adminToken();
    long id = api.db.jdbi().inTransaction(h -> {
      long node = h.createQuery("SELECT id FROM nodes WHERE allocated = 0 ORDER BY id LIMIT 1").mapTo(Long.class).one();
      h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", node);
      return h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status, created_at,"
              + " leased_until) SELECT id, :node, 'c_admin', '$6$x$y', 'provisioning', :now, :until FROM users"
              + " WHERE username = 'admin'")
          .bind("node", node).bind("now", Instant.now()).bind("until", Instant.now().plusSeconds(3600))
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    });
    Http.Response busy = api.http.post("/api/release/" + id, admin, null);
    assertEquals(409, busy.status(), busy.body());
    assertTrue(busy.isProblem());
    assertTrue(Integer.parseInt(busy.header("Retry-After")) >= 1, "Retry-After: " + busy.header("Retry-After"));
    // What the scheduler's rescue does to a rent whose API died.
    api.db.jdbi().useHandle(h -> {
      h.execute("UPDATE rentals SET status = 'ended', end_reason = 'failed', ended_at = ? WHERE id = ?",
          Instant.now(), id);
      h.execute("UPDATE nodes n JOIN rentals r ON r.node_id = n.id SET n.allocated = 0 WHERE r.id = ?", id);
    });
    Http.Response ended = api.http.post("/api/release/" + id, admin, null);
    assertEquals(409, ended.status(), ended.body());
    assertTrue(ended.json().get("detail").asText().contains("already ended (failed)"), ended.body());
    assertEquals(null, ended.header("Retry-After"));
  }

  @Test
  void countIsAllOrNothing() {
    String token = api.newUser("many");
    String before = api.snapshot();
    Http.Response tooMany = api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":4}");
    assertEquals(409, tooMany.status());
    assertTrue(tooMany.json().get("detail").asText().contains("3 free"), tooMany.body());
    assertEquals(before, api.snapshot(), "a refused rent allocates nothing");
    Http.Response all = api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":3}");
    assertEquals(201, all.status(), all.body());
    assertEquals(3, all.json().size());
    assertEquals(409, api.http.post("/api/rent", token, "{\"duration_hours\":1}").status());
    for (JsonNode c : all.json()) {
      assertTrue(worker(c).hasUser(c.get("client_user").asText()));
    }
    assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
    for (JsonNode c : all.json()) {
      assertFalse(worker(c).hasUser(c.get("client_user").asText()), "reset removes every client user");
    }
    assertEquals(201, api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":3}").status(),
        "reset frees every node");
  }

  @Test
  void otherUsersLeasesAreInvisible() {
    String owner = api.newUser("owner");
    String other = api.newUser("other");
    JsonNode c = api.http.post("/api/rent", owner, "{\"duration_hours\":1}").json().get(0);
    long id = c.get("rental_id").asLong();
    String before = api.snapshot();
    assertEquals(404, api.http.get("/api/rentals/" + id, other).status());
    assertEquals(404, api.http.post("/api/release/" + id, other, null).status());
    assertEquals(404, api.http.post("/api/extend/" + id, other, "{\"additional_hours\":1}").status());
    assertEquals(0, api.http.get("/api/rentals?all=true", other).json().size());
    JsonNode node = nodeById(api.http.get("/api/nodes", other).json(), c.get("node_id").asLong());
    assertTrue(node.get("allocated").asBoolean());
    assertTrue(node.get("lease").isNull(), "lease details are the owner's");
    assertEquals(before, api.snapshot());
    String admin = api.adminToken();
    assertEquals(200, api.http.get("/api/rentals/" + id, admin).status(), "admins see every lease");
    assertEquals(id, nodeById(api.http.get("/api/nodes", admin).json(), c.get("node_id").asLong())
        .get("lease").get("rental_id").asLong());
  }

  /** A job's internal lease holds a worker but is nobody's rental: not listed, not counted, not touchable. */
  @Test
  void aJobsInternalLeaseIsNoRental() {
    String owner = api.newUser("jobowner");
    long userId = api.db.jdbi().withHandle(h -> h.createQuery("SELECT MAX(id) FROM users").mapTo(Long.class).one());
    long node = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT MIN(id) FROM nodes WHERE status = 'alive' AND allocated = 0 AND clean = 1").mapTo(Long.class).one());
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    long lease = api.db.jdbi().inTransaction(h -> dev.orion.common.lease.LeaseStore.on(h).openJob(
        new dev.orion.common.lease.LeaseStore.NewLease(userId, node, "job-0a1b2c3d4e", "!", null, now,
            now.plus(java.time.Duration.ofDays(1))), "scheduler:test", "job 1 attempt 1"));
    assertEquals(0, api.http.get("/api/rentals?all=true", owner).json().size(), "not listed");
    assertEquals(404, api.http.get("/api/rentals/" + lease, owner).status());
    assertEquals(404, api.http.post("/api/release/" + lease, owner, null).status());
    assertEquals(404, api.http.post("/api/extend/" + lease, owner, "{\"additional_hours\":1}").status());
    assertEquals(404, api.http.get("/api/rentals/" + lease, api.adminToken()).status(), "not even for admins");
    assertEquals(201, api.http.post("/api/rent", owner, "{\"duration_hours\":1}").status(),
        "the job's lease does not count toward the owner's lease limit");
    assertTrue(nodeById(api.http.get("/api/nodes", api.adminToken()).json(), node).get("allocated").asBoolean(),
        "its worker is allocated");
    // Not a client's lease, so no reset ends it: the job loop would, with its attempt.
    api.db.jdbi().useTransaction(h -> {
      dev.orion.common.lease.LeaseStore store = dev.orion.common.lease.LeaseStore.on(h);
      store.end(store.lock(List.of(lease)), dev.orion.common.lease.EndReason.RELEASED, now, "scheduler:test",
          l -> "attempt ended").forEach((n, epoch) -> h.attach(dev.orion.common.lease.NodeCleanliness.class)
              .markClean(n, epoch, now));
    });
  }

  @Test
  void badRentAndExtendBodiesChangeNothing() {
    String token = api.newUser("bad");
    JsonNode c = api.http.post("/api/rent", token, "{\"duration_hours\":1}").json().get(0);
    long id = c.get("rental_id").asLong();
    String[] rents = {
        "", "{", "[]", "{}", "{\"count\":1}", "{\"duration_hours\":0}", "{\"duration_hours\":-1}",
        "{\"duration_hours\":1e9}", "{\"duration_hours\":721}", "{\"duration_hours\":\"1\"}",
        "{\"duration_minutes\":0}", "{\"duration_minutes\":-5}", "{\"duration_minutes\":1.5}",
        "{\"duration_minutes\":99999999999}", "{\"duration_minutes\":43201}",
        "{\"duration_hours\":1,\"duration_minutes\":60}", "{\"duration_hours\":0.001}",
        "{\"duration_hours\":1,\"count\":0}", "{\"duration_hours\":1,\"count\":-1}", "{\"duration_hours\":1,\"count\":101}",
        "{\"duration_hours\":1,\"count\":\"2\"}", "{\"duration_hours\":1,\"count\":1.5}",
        "{\"duration_hours\":1,\"ssh_password\":\"short\"}", "{\"duration_hours\":1,\"ssh_password\":123456789}",
        "{\"duration_hours\":1,\"ssh_password\":\"tab\\tinside-pass\"}",
        "{\"duration_hours\":1,\"ssh_public_key\":\"not a key\"}", "{\"duration_hours\":1,\"gpu\":true}",
    };
    String before = api.snapshot();
    for (String b : rents) {
      Http.Response r = api.http.post("/api/rent", token, b);
      assertEquals(400, r.status(), b + " -> " + r);
      assertTrue(r.isProblem(), b);
    }
    String[] extends_ = {"", "{}", "{\"additional_hours\":0}", "{\"additional_hours\":-2}", "{\"additional_hours\":\"1\"}",
        "{\"additional_hours\":100000}", "{\"additional_hours\":1,\"x\":1}", "[1]"};
    for (String b : extends_) {
      Http.Response r = api.http.post("/api/extend/" + id, token, b);
      assertEquals(400, r.status(), b + " -> " + r);
      assertTrue(r.isProblem(), b);
    }
    for (String path : new String[] {"/api/release/abc", "/api/release/0", "/api/release/-3", "/api/release/99999999",
        "/api/extend/1.5", "/api/rentals/x"}) {
      Http.Response r = path.startsWith("/api/rentals") ? api.http.get(path, token)
          : api.http.post(path, token, "{\"additional_hours\":1}");
      assertEquals(404, r.status(), path + " -> " + r);
      assertTrue(r.isProblem());
    }
    assertEquals(400, api.http.get("/api/rentals?all=maybe", token).status());
    assertEquals(401, api.http.post("/api/rent", null, "{\"duration_hours\":1}").status());
    assertEquals(before, api.snapshot());
  }

  static List<String> statuses(JsonNode detail) {
    List<String> out = new ArrayList<>();
    detail.get("events").forEach(e -> out.add(e.get("to_status").asText()));
    return out;
  }

  static JsonNode nodeById(JsonNode nodes, long id) {
    for (JsonNode n : nodes) {
      if (n.get("node_id").asLong() == id) {
        return n;
      }
    }
    throw new AssertionError("node " + id + " not listed");
  }
}
