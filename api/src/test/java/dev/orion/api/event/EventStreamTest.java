package dev.orion.api.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.ApiApp;
import dev.orion.api.http.WebConfig;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.SseClient;
import dev.orion.api.support.TestKeys;
import dev.orion.common.event.EventLog;
import dev.orion.testkit.Ports;
import dev.orion.testkit.SandboxWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /api/events against a real server, database and worker: events of a rent made while
 * streams are open reach them, each user sees only what is theirs or public, a client that
 * reconnects with Last-Event-ID misses nothing, two replicas number events alike, and an idle
 * stream gets keep-alive comments.
 */
class EventStreamTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Short, so a test sees one; the default is 15 s. */
  static final Duration KEEPALIVE = Duration.ofMillis(700);
  static final AtomicInteger HOSTS = new AtomicInteger();
  static ApiHarness api;
  static SandboxWorker worker;

  @BeforeAll
  static void start() {
    api = ApiHarness.start(WebConfig.defaults().withKeepAlive(KEEPALIVE));
    worker = SandboxWorker.start("events");
    api.register(worker);
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
  }

  /** A node event everyone may see, to mark a point in the stream; returns its node id. */
  static long marker() {
    return api.register("ev-mark-" + HOSTS.incrementAndGet() + "-" + System.nanoTime(), Ports.free(),
        TestKeys.ed25519());
  }

  static java.util.function.Predicate<SseClient.Frame> nodeEvent(long nodeId) {
    return f -> f.event().equals("node") && f.json().path("node_id").asLong() == nodeId;
  }

  @Test
  void aRentsEventsReachItsOwnerAndAdminsAndOthersSeeOnlyPublicEvents() throws Exception {
    String owner = api.newUser("evowner");
    String other = api.newUser("evother");
    String admin = api.adminToken();
    try (SseClient mine = SseClient.bearer(api.url(), owner, null);
        SseClient theirs = SseClient.bearer(api.url(), other, null);
        SseClient all = SseClient.bearer(api.url(), admin, null)) {
      assertEquals(200, mine.status);
      assertTrue(mine.contentType.startsWith("text/event-stream"), mine.contentType);
      Http.Response rent = api.http.post("/api/rent", owner, Http.json(Map.of("duration_hours", 1)));
      assertEquals(201, rent.status(), rent.toString());
      long rentalId = rent.json().get(0).get("rental_id").asLong();
      long nodeId = rent.json().get(0).get("node_id").asLong();
      assertEquals(200, api.http.post("/api/release/" + rentalId, owner, null).status());
      long mark = marker();

      List<SseClient.Frame> ownerSaw = mine.eventsUntil(nodeEvent(mark), WAIT);
      List<String> transitions = ownerSaw.stream().filter(f -> f.event().equals("lease"))
          .map(SseClient.Frame::json).filter(j -> j.path("rental_id").asLong() == rentalId)
          .map(j -> j.path("from").asText("") + ">" + j.path("to").asText()).toList();
      assertEquals(List.of(">provisioning", "provisioning>active", "active>ended"), transitions);
      JsonNode first = ownerSaw.stream().filter(f -> f.event().equals("lease")).findFirst().orElseThrow().json();
      assertEquals("lease", first.get("kind").asText());
      assertEquals(nodeId, first.get("node_id").asLong());
      assertTrue(first.get("at").asText().endsWith("Z"), "ISO-8601 UTC: " + first);
      for (String hidden : List.of("actor", "user", "username", "client_user", "user_id")) {
        assertFalse(first.has(hidden), hidden + " is never on the stream: " + first);
      }
      long prev = 0;
      for (SseClient.Frame f : ownerSaw) {
        assertNotNull(f.id(), "every event has an id");
        assertTrue(f.id() > prev, "ids increase: " + ownerSaw);
        prev = f.id();
      }

      List<SseClient.Frame> otherSaw = theirs.eventsUntil(nodeEvent(mark), WAIT);
      for (SseClient.Frame f : otherSaw) {
        assertFalse(Set.of("lease", "job", "schedule").contains(f.event()), "another user's event: " + f);
        assertFalse(f.json().has("rental_id"), "a lease id on a public event: " + f);
      }
      assertTrue(otherSaw.stream().anyMatch(f -> f.event().equals("node")), "public node events: " + otherSaw);

      List<SseClient.Frame> adminSaw = all.eventsUntil(nodeEvent(mark), WAIT);
      assertEquals(3, adminSaw.stream().filter(f -> f.event().equals("lease")
          && f.json().path("rental_id").asLong() == rentalId).count(), "admins see every lease: " + adminSaw);
      // What the owner and the other user got is what admins got, minus what is not theirs.
      Set<Long> ownerIds = ownerSaw.stream().map(SseClient.Frame::id).collect(Collectors.toSet());
      Set<Long> adminIds = adminSaw.stream().map(SseClient.Frame::id).collect(Collectors.toSet());
      assertEquals(adminIds, ownerIds, "the owner sees all of this (their lease and public events)");
    }
  }

  @Test
  void aClientResumingWithLastEventIdMissesNothingEvenOnAnotherReplica() throws Exception {
    String admin = api.adminToken();
    String user = api.newUser("evresume");
    long seen;
    try (SseClient s = SseClient.bearer(api.url(), admin, null)) {
      long mark = marker();
      seen = s.eventsUntil(nodeEvent(mark), WAIT).stream().filter(nodeEvent(mark)).findFirst().orElseThrow().id();
    }
    // Disconnected: events happen meanwhile, one of them the user's own.
    List<Long> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(marker());
    }
    Http.Response rent = api.http.post("/api/rent", user, Http.json(Map.of("duration_hours", 1)));
    assertEquals(201, rent.status(), rent.toString());
    long rentalId = rent.json().get(0).get("rental_id").asLong();
    assertEquals(200, api.http.post("/api/release/" + rentalId, user, null).status());
    long last = marker();
    EventLog.publish(api.db.jdbi());
    List<Long> expected = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT id FROM events WHERE id > :seen AND id <= (SELECT id FROM events WHERE kind = 'node' AND node_id = :last"
            + " AND from_status IS NULL) ORDER BY id").bind("seen", seen).bind("last", last).mapTo(Long.class).list());

    try (ApiApp replica = api.replica()) {
      String other = "http://127.0.0.1:" + replica.port();
      try (SseClient resumed = SseClient.bearer(other, admin, seen)) {
        List<Long> got = resumed.eventsUntil(nodeEvent(last), WAIT).stream().map(SseClient.Frame::id).toList();
        assertEquals(expected, got, "every event after " + seen + ", in order, once");
      }
      // The query parameter does the same for clients that cannot set headers; a user gets the
      // public events and their own lease's.
      long uid = com.auth0.jwt.JWT.decode(user).getClaim("uid").asLong();
      long lastId = expected.get(expected.size() - 1);
      List<Long> visible = api.db.jdbi().withHandle(h -> h.createQuery(
          "SELECT e.id FROM events e LEFT JOIN rentals r ON r.id = e.lease_id WHERE e.id > :seen AND e.id <= :last"
              + " AND (e.kind IN ('node', 'pool') OR r.user_id = :uid) ORDER BY e.id")
          .bind("seen", seen).bind("last", lastId).bind("uid", uid).mapTo(Long.class).list());
      try (SseClient byQuery = SseClient.open(other + "/api/events?last_event_id=" + seen,
          Map.of("Authorization", "Bearer " + user))) {
        List<SseClient.Frame> got = byQuery.eventsUntil(nodeEvent(last), WAIT);
        assertEquals(visible, got.stream().map(SseClient.Frame::id).toList());
        assertEquals(3, got.stream().filter(f -> f.event().equals("lease")).count(), "their own lease: " + got);
        assertTrue(got.stream().map(f -> f.json().path("node_id").asLong()).toList().containsAll(made));
      }
    }
  }

  @Test
  void twoReplicasOnOneDatabaseGiveEveryEventTheSameId() throws Exception {
    String admin = api.adminToken();
    try (ApiApp replica = api.replica();
        SseClient a = SseClient.bearer(api.url(), admin, null);
        SseClient b = SseClient.bearer("http://127.0.0.1:" + replica.port(), admin, null)) {
      long last = 0;
      for (int i = 0; i < 10; i++) {
        last = marker();
      }
      List<SseClient.Frame> fromA = a.eventsUntil(nodeEvent(last), WAIT);
      List<SseClient.Frame> fromB = b.eventsUntil(nodeEvent(last), WAIT);
      // Both streams started at their replica's current position; compare from the first marker on.
      long firstCommon = Math.max(fromA.get(0).id(), fromB.get(0).id());
      assertEquals(fromA.stream().filter(f -> f.id() >= firstCommon).toList(),
          fromB.stream().filter(f -> f.id() >= firstCommon).toList());
      assertTrue(fromA.stream().filter(f -> f.id() >= firstCommon).count() >= 10);
    }
  }

  @Test
  void anIdleStreamGetsKeepAliveComments() throws Exception {
    try (SseClient s = SseClient.bearer(api.url(), api.newUser("evidle"), null)) {
      SseClient.Frame f;
      do {
        f = s.poll(WAIT);
        assertNotNull(f, "a keep-alive within " + WAIT);
      } while (f.comment() == null);
      assertEquals("keep-alive", f.comment());
    }
  }

  @Test
  void refusedWithoutCredentialsOrWithAMalformedLastEventId() throws Exception {
    try (SseClient s = SseClient.open(api.url() + "/api/events", Map.of())) {
      assertEquals(401, s.status);
      assertTrue(s.contentType.startsWith("application/problem+json"), s.contentType);
    }
    try (SseClient s = SseClient.open(api.url() + "/api/events", Map.of("Authorization", "Bearer forged"))) {
      assertEquals(401, s.status);
    }
    String user = api.newUser("evbad");
    for (String bad : List.of("abc", "-1", "1e3", "99999999999999999999")) {
      try (SseClient s = SseClient.open(api.url() + "/api/events",
          Map.of("Authorization", "Bearer " + user, "Last-Event-ID", bad))) {
        assertEquals(400, s.status, bad);
        assertTrue(s.contentType.startsWith("application/problem+json"), s.contentType);
      }
    }
  }
}
