package dev.orion.api.rental;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.load.LoadConfig;
import dev.orion.api.load.LoadService;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.testkit.SandboxWorker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rents on real sandbox workers whose load the real fold has classed: placement takes low
 * workers before moderate ones and a high one only when nothing else is free; a leased worker's
 * class changes, and a long stretch of high load, show in its lease's history.
 */
class PlacementE2eTest {
  static ApiHarness api;
  static LoadService load;
  static final List<SandboxWorker> WORKERS = new ArrayList<>();
  static final List<Long> IDS = new ArrayList<>();

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    load = new LoadService(api.db.jdbi(), LoadConfig.defaults());
    for (int i = 0; i < 3; i++) {
      SandboxWorker w = SandboxWorker.start("place-" + i);
      WORKERS.add(w);
      IDS.add(api.register(w));
    }
  }

  @AfterAll
  static void stop() {
    SandboxWorker.closeAll(WORKERS);
    api.close();
  }

  @AfterEach
  void reset() {
    assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
    api.db.jdbi().useHandle(h -> h.execute("DELETE FROM node_load"));
  }

  static long rentOne(String token) {
    Http.Response r = api.http.post("/api/rent", token, "{\"duration_hours\":1}");
    assertEquals(201, r.status(), r.body());
    return r.json().get(0).get("node_id").asLong();
  }

  @Test
  void aLowWorkerIsRentedBeforeAModerateOneAndAHighOneLast() {
    Instant now = Instant.now();
    load.record(IDS.get(0), 95, 10, "cgroup-v2", now); // the lowest id: what rent took first before
    load.record(IDS.get(1), 50, 10, "cgroup-v2", now);
    load.record(IDS.get(2), 3, 10, "cgroup-v2", now);
    String token = api.newUser("placed");
    assertEquals(IDS.get(2), rentOne(token), "low first");
    assertEquals(IDS.get(1), rentOne(token), "then moderate");
    assertEquals(IDS.get(0), rentOne(token), "high only when nothing else is free");
    assertEquals(409, api.http.post("/api/rent", token, "{\"duration_hours\":1}").status());
  }

  @Test
  void aFiringAlertMakesAWorkerHighForPlacement() {
    api.db.jdbi().useHandle(h -> h.execute("INSERT INTO node_alert_classes (fingerprint, node_id, alertname,"
        + " load_class, group_key, starts_at, updated_at) VALUES ('place-f1', ?, 'OrionNodeCpuHigh', 'high',"
        + " 'g', ?, ?)", IDS.get(0), Instant.now(), Instant.now()));
    try {
      String token = api.newUser("alerted");
      Http.Response r = api.http.post("/api/rent", token, "{\"duration_hours\":1,\"count\":2}");
      assertEquals(201, r.status(), r.body());
      List<Long> got = new ArrayList<>();
      r.json().forEach(c -> got.add(c.get("node_id").asLong()));
      assertEquals(List.of(IDS.get(1), IDS.get(2)), got.stream().sorted().toList());
    } finally {
      api.db.jdbi().useHandle(h -> h.execute("DELETE FROM node_alert_classes"));
    }
  }

  @Test
  void theLesseeSeesItsWorkerTurnHighAndStayHigh() {
    String token = api.newUser("lessee");
    Http.Response r = api.http.post("/api/rent", token, "{\"duration_hours\":1}");
    assertEquals(201, r.status(), r.body());
    long rental = r.json().get(0).get("rental_id").asLong();
    long node = r.json().get(0).get("node_id").asLong();
    Instant t = Instant.now();
    load.record(node, 2, 10, "cgroup-v2", t);
    for (int s = 1; s <= 60; s++) { // a burn: high after ~18 s with tau 15 s
      load.record(node, 100, 10, "cgroup-v2", t.plusSeconds(s));
    }
    Instant highSince = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT class_since FROM node_load WHERE node_id = :n").bind("n", node).mapTo(Instant.class).one());
    // ... and it stays high past ORION_LOAD_HIGH_EVENT_AFTER: told once
    Instant end = highSince.plus(LoadConfig.DEFAULT_HIGH_EVENT_AFTER).plusSeconds(30);
    for (Instant at = t.plusSeconds(61); at.isBefore(end); at = at.plusSeconds(5)) {
      load.record(node, 100, 10, "cgroup-v2", at);
    }

    JsonNode events = api.http.get("/api/rentals/" + rental, token).json().get("events");
    List<String> nodeEvents = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.get("kind").asText().equals("load")) {
        assertEquals(node, e.get("to_node_id").asLong());
        nodeEvents.add(e.get("from_status").asText() + "->" + e.get("to_status").asText());
      } else {
        assertEquals("lease", e.get("kind").asText());
      }
    }
    assertEquals(List.of("low->moderate", "moderate->high", "high->high"), nodeEvents, events.toString());
    assertTrue(events.get(events.size() - 1).get("reason").asText().contains("high for longer"), events.toString());

    // Another user sees none of it.
    assertEquals(404, api.http.get("/api/rentals/" + rental, api.newUser("other")).status());
  }
}
