package dev.orion.api.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.time.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cron job's next_runs as the API answers them around New York's 2026 daylight-saving changes:
 * 02:30 does not exist on 8 March and runs once at 03:00 EDT; 01:30 happens twice on 1 November
 * and runs once, at its first occurrence.
 */
class ScheduledDstApiTest {
  @Test
  void nextRunsAcrossDaylightSavingChanges() {
    SettableClock clock = new SettableClock(Instant.parse("2026-03-06T12:00:00Z"));
    try (ApiHarness api = ApiHarness.start(clock)) {
      api.register("dst-node", 2202, TestKeys.ed25519());
      String token = api.newUser("dst");
      Http.Response r = api.http.post("/api/scheduled", token, Http.json(Map.of("name", "nightly", "pool", "default",
          "command", List.of("date"), "cron", "30 2 * * *", "timezone", "America/New_York")));
      assertEquals(201, r.status(), r.toString());
      long id = r.json().get("scheduled_id").asLong();
      JsonNode runs = r.json().get("next_runs");
      assertEquals(List.of("2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z",
          "2026-03-10T06:30:00Z", "2026-03-11T06:30:00Z"), field(runs, "at"));
      assertEquals(List.of("2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
          "2026-03-10T02:30:00-04:00", "2026-03-11T02:30:00-04:00"), field(runs, "at_local"));

      clock.set(Instant.parse("2026-10-30T12:00:00Z"));
      String name = com.auth0.jwt.JWT.decode(token).getSubject();
      token = api.login(name, "password-" + name); // the first token expired meanwhile
      Http.Response put = api.http.put("/api/scheduled/" + id, token, Http.json(Map.of("name", "nightly",
          "pool", "default", "command", List.of("date"), "cron", "30 1 * * *", "timezone", "America/New_York")));
      assertEquals(200, put.status(), put.toString());
      runs = api.http.get("/api/scheduled/" + id, token).json().get("next_runs");
      assertEquals(List.of("2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z",
          "2026-11-03T06:30:00Z", "2026-11-04T06:30:00Z"), field(runs, "at"));
      assertEquals("2026-11-01T01:30:00-04:00", field(runs, "at_local").get(1));
    }
  }

  static List<String> field(JsonNode runs, String name) {
    List<String> out = new ArrayList<>();
    runs.forEach(r -> out.add(r.get(name).asText()));
    return out;
  }
}
