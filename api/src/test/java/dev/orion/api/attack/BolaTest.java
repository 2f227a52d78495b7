package dev.orion.api.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.testkit.SandboxWorker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Broken object-level authorization, tried on every endpoint that takes an id: another account's
 * lease cannot be seen, released or extended (404, as for an id that does not exist, so ids do not
 * leak), admin-only ids answer 403, and nothing changes.
 */
class BolaTest {
  @Test
  void anotherAccountsIdsAreNotFoundAndAdminIdsForbidden() {
    List<SandboxWorker> workers = SandboxWorker.startMany("bola", 1);
    try (ApiHarness api = ApiHarness.start()) {
      long nodeId = api.register(workers.get(0));
      String owner = api.newUser("owner");
      String intruder = api.newUser("intruder");
      Http.Response rent = api.http.post("/api/rent", owner, Http.json(Map.of("duration_hours", 1)));
      assertEquals(201, rent.status(), rent.toString());
      long rentalId = rent.json().get(0).get("rental_id").asLong();

      String before = api.snapshot();
      Http.Response[] answers = {
          api.http.get("/api/rentals/" + rentalId, intruder),
          api.http.post("/api/release/" + rentalId, intruder, null),
          api.http.post("/api/extend/" + rentalId, intruder, Http.json(Map.of("additional_hours", 1))),
      };
      Http.Response[] unknown = {
          api.http.get("/api/rentals/" + (rentalId + 1000), intruder),
          api.http.post("/api/release/" + (rentalId + 1000), intruder, null),
          api.http.post("/api/extend/" + (rentalId + 1000), intruder, Http.json(Map.of("additional_hours", 1))),
      };
      for (int i = 0; i < answers.length; i++) {
        assertEquals(404, answers[i].status(), answers[i].toString());
        assertTrue(answers[i].isProblem());
        assertEquals(unknown[i].status(), answers[i].status(), "indistinguishable from an unknown id");
      }
      for (JsonNode r : api.http.get("/api/rentals?all=true", intruder).json()) {
        assertFalse(r.get("rental_id").asLong() == rentalId, "listed to another account");
      }
      for (JsonNode n : api.http.get("/api/nodes", intruder).json()) {
        assertTrue(n.get("lease").isNull(), "lease details of another account: " + n);
      }
      assertEquals(403, api.http.delete("/api/nodes/" + nodeId, intruder).status());
      assertEquals(403, api.http.post("/api/reset", intruder, null).status());
      assertEquals(before, api.snapshot());

      assertEquals(200, api.http.get("/api/rentals/" + rentalId, owner).status(), "the owner still sees it");
      assertEquals(200, api.http.post("/api/release/" + rentalId, owner, null).status());
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }
}
