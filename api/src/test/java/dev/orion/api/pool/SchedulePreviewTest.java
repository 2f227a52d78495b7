package dev.orion.api.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.common.time.SettableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/schedules/preview: the editor's check as you type; it never saves anything. */
class SchedulePreviewTest {
  static ApiHarness api;
  static String user;

  @BeforeAll
  static void start() {
    api = ApiHarness.start(new SettableClock(Instant.parse("2027-01-13T12:00:00Z")));
    user = api.newUser("preview");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static Http.Response preview(Map<String, Object> body) {
    return api.http.post("/api/schedules/preview", user, Http.json(body));
  }

  @Test
  void aValidScheduleShowsItsNextFiveTransitionsOnItsOwnClockAndIsNotSaved() {
    String before = api.snapshot();
    Http.Response r = preview(Map.of("pool", "office", "cron_start", "0 8 * * 1-5", "cron_stop", "0 19 * * 1-5",
        "timezone", "Europe/Paris"));
    assertEquals(200, r.status(), r.body());
    JsonNode p = r.json();
    assertEquals("office", p.get("pool").asText());
    assertEquals("Europe/Paris", p.get("timezone").asText());
    assertEquals(5, p.get("next_transitions").size());
    assertEquals("sleep", p.get("next_transitions").get(0).get("action").asText());
    assertEquals("2027-01-13T19:00:00+01:00", p.get("next_transitions").get(0).get("at_local").asText());
    assertEquals("2027-01-13T18:00:00Z", p.get("next_transitions").get(0).get("at").asText());

    Http.Response hours = preview(Map.of("pool", "office", "uptime", "Mon-Fri 08:00-18:00",
        "holidays", List.of("2027-01-14"), "timezone", "UTC"));
    assertEquals(200, hours.status(), hours.body());
    assertEquals("2027-01-13T18:00:00Z", hours.json().get("next_transitions").get(0).get("at").asText());
    assertEquals("2027-01-15T08:00:00Z", hours.json().get("next_transitions").get(1).get("at").asText(),
        "the holiday is skipped");
    assertEquals(before, api.snapshot(), "a preview writes nothing");
    assertEquals(404, api.http.get("/api/schedule/office", user).status());
  }

  @Test
  void anInvalidScheduleIsA400WithTheReason() {
    Http.Response bad = preview(Map.of("pool", "office", "cron_start", "0 25 * * *", "cron_stop", "0 19 * * *"));
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.isProblem());
    assertTrue(bad.json().get("detail").asText().contains("cron_start"), bad.body());
    Http.Response zone = preview(Map.of("pool", "office", "cron_start", "0 8 * * *", "cron_stop", "0 19 * * *",
        "timezone", "Mars/Olympus"));
    assertEquals(400, zone.status(), zone.body());
    assertTrue(zone.json().get("detail").asText().contains("timezone"), zone.body());
    assertEquals(400, preview(Map.of("pool", ApiHarness.PROTECTED_POOL, "cron_start", "0 8 * * *",
        "cron_stop", "0 19 * * *")).status(), "a protected pool takes no schedule");
    assertEquals(401, api.http.post("/api/schedules/preview", null, "{}").status());
  }
}
