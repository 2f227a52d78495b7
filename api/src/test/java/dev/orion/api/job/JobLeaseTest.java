package dev.orion.api.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.Limits;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job's internal lease (rentals.kind 'job') holds its node like a rent, but is no client's lease:
 * not in /api/rentals, not reachable by rental id, not counted in the account's lease limit; the
 * node list shows the node allocated to the job, with details for the job's owner and admins only.
 * Also the queued-jobs gauge.
 */
class JobLeaseTest {
  @Test
  void aJobsLeaseIsNoRentalButShowsOnItsNode() {
    try (ApiHarness api = ApiHarness.start(Limits.defaults().withMaxLeasedPerUser(1))) {
      String alice = api.newUser("alice");
      String bob = api.newUser("bob");
      long node = api.register("lease-node-1", 2201, TestKeys.ed25519());
      long uid = api.db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM users WHERE username = :u")
          .bind("u", com.auth0.jwt.JWT.decode(alice).getSubject()).mapTo(Long.class).one());
      Http.Response created = api.http.post("/api/jobs", alice, Http.json(Map.of("name", "busy", "pool", "default",
          "command", List.of("sleep", "60"))));
      assertEquals(201, created.status(), created.toString());
      long jobId = created.json().get("job_id").asLong();
      // What a scheduler writes when it starts the attempt: the internal lease, then the attempt on it.
      long lease = api.db.jdbi().inTransaction(h -> {
        h.createUpdate("UPDATE nodes SET allocated = TRUE WHERE id = :n").bind("n", node).execute();
        long id = h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status,"
                + " created_at, leased_until, kind) VALUES (:u, :n, 'oj1', 'x', 'active', :now, :until, 'job')")
            .bind("u", uid).bind("n", node).bind("now", Instant.now())
            .bind("until", Instant.now().plus(1, ChronoUnit.HOURS))
            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        h.createUpdate("INSERT INTO job_attempts (job_id, attempt, node_id, lease_id, unix_user, run_dir, started_at)"
                + " VALUES (:j, 1, :n, :l, 'oj1', '/tmp/oj1', :now)")
            .bind("j", jobId).bind("n", node).bind("l", id).bind("now", Instant.now()).execute();
        h.createUpdate("UPDATE jobs SET status = 'running', started_at = :now WHERE id = :j")
            .bind("j", jobId).bind("now", Instant.now()).execute();
        return id;
      });

      assertEquals("[]", api.http.get("/api/rentals?all=true", alice).json().toString());
      assertFalse(api.http.get("/api/rentals?all=true", api.adminToken()).body().contains("\"rental_id\":" + lease));
      assertEquals(404, api.http.get("/api/rentals/" + lease, alice).status());
      assertEquals(404, api.http.post("/api/release/" + lease, alice, null).status());
      assertEquals(404, api.http.post("/api/extend/" + lease, api.adminToken(),
          Http.json(Map.of("additional_hours", 1))).status());
      assertEquals(404, api.http.post("/api/jobs", alice, Http.json(Map.of("name", "x", "rental_id", lease,
          "command", List.of("true")))).status(), "a job's lease takes no jobs of a client");
      // The limit is 1 live lease and alice's job holds one: a rent is refused for want of workers, not the limit.
      Http.Response rent = api.http.post("/api/rent", alice, Http.json(Map.of("duration_hours", 1)));
      assertEquals(409, rent.status(), rent.toString());
      assertTrue(rent.json().get("detail").asText().contains("not enough free workers"), rent.toString());

      JsonNode ownerView = node(api, alice, node);
      assertTrue(ownerView.get("allocated").asBoolean());
      assertEquals("job", ownerView.get("lease").get("kind").asText());
      assertEquals(jobId, ownerView.get("lease").get("job_id").asLong());
      assertFalse(ownerView.get("lease").has("rental_id"));
      JsonNode other = node(api, bob, node);
      assertTrue(other.get("allocated").asBoolean());
      assertTrue(other.get("lease").isNull(), "another user sees only that it is allocated: " + other);
      assertEquals(jobId, node(api, api.adminToken(), node).get("lease").get("job_id").asLong());

      // POST /api/reset ends clients' leases only; the job's is its scheduler's.
      assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
      assertEquals("active", api.db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM rentals WHERE id = :id")
          .bind("id", lease).mapTo(String.class).one()));

      // Pending jobs by pool, read at scrape time.
      api.http.post("/api/jobs", bob, Http.json(Map.of("name", "queued", "pool", "default", "command", List.of("true"))));
      String metrics = new Http(api.metricsUrl()).get("/metrics", null).body();
      assertTrue(metrics.contains("orion_jobs_queued{pool=\"default\"} 1.0"), metrics);
    }
  }

  static JsonNode node(ApiHarness api, String token, long id) {
    for (JsonNode n : api.http.get("/api/nodes", token).json()) {
      if (n.get("node_id").asLong() == id) {
        return n;
      }
    }
    throw new AssertionError("node " + id + " not listed");
  }
}
