package dev.orion.api.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.load.LoadClass;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Alertmanager's webhook against the real API and database. */
class AlertWebhookTest {
  static ApiHarness api;
  static AlertService service;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    service = new AlertService(api.db.jdbi(), Map.of(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static Map<String, Object> alert(String status, String fingerprint, Instant startsAt,
      Map<String, String> labels) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("status", status);
    a.put("labels", labels);
    a.put("annotations", Map.of("summary", "line one\nline two")); // ignored, newlines and all
    a.put("startsAt", startsAt.toString());
    a.put("endsAt", "0001-01-01T00:00:00Z");
    a.put("generatorURL", "http://127.0.0.1:19090/graph");
    a.put("fingerprint", fingerprint);
    return a;
  }

  private static String payload(String groupKey, List<Map<String, Object>> alerts) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("receiver", "orion");
    p.put("status", "firing");
    p.put("alerts", alerts);
    p.put("groupLabels", Map.of());
    p.put("commonLabels", Map.of());
    p.put("commonAnnotations", Map.of());
    p.put("externalURL", "http://127.0.0.1:19093");
    p.put("version", "4");
    p.put("groupKey", groupKey);
    p.put("truncatedAlerts", 0);
    return Http.json(p);
  }

  private static Http.Response deliver(String body) {
    return api.http.post("/api/alerts/alertmanager", ApiHarness.ALERT_TOKEN, body);
  }

  /** A node row as registration writes it, without 1,000 HTTP round trips. */
  private static long insertNode(String hostname, int port, String key) {
    Instant now = Instant.now();
    return api.db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port,"
            + " host_key, host_key_fingerprint, registered_at, last_seen_at)"
            + " VALUES (:h, '127.0.0.1', :p, :k, 'SHA256:test', :now, :now)")
        .bind("h", hostname).bind("p", port).bind("k", key).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  private static int rows(String fingerprint) {
    return api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM node_alert_classes WHERE fingerprint = :f").bind("f", fingerprint)
        .mapTo(Integer.class).one());
  }

  @Test
  void aFiringAlertClassesItsNodeUntilItResolvesAndRepeatsChangeNothing() {
    long id = api.register("w-alert-high", 2401, TestKeys.ed25519());
    Instant started = Instant.parse("2026-12-02T10:00:00.123456789Z");
    String firing = payload("{}:{alertname=\"OrionNodeCpuHigh\"}", List.of(alert("firing", "a1b2c3",
        started, Map.of("alertname", "OrionNodeCpuHigh", "node", "w-alert-high", "pool", "default"))));
    Http.Response r = deliver(firing);
    assertEquals(200, r.status(), r.body());
    assertEquals(1, r.json().get("applied").asInt());
    assertEquals(0, r.json().get("ignored").asInt());
    assertEquals(Optional.of(LoadClass.HIGH), service.alertClass(id));
    String after = api.snapshot();
    for (int i = 0; i < 3; i++) { // Alertmanager retries and repeats every group_interval
      assertEquals(200, deliver(firing).status());
    }
    assertEquals(after.replaceAll("node_alert_classes=[^;]*", ""),
        api.snapshot().replaceAll("node_alert_classes=[^;]*", ""));
    assertEquals(1, rows("a1b2c3"));
    assertEquals(Optional.of(LoadClass.HIGH), service.alertClass(id));

    Http.Response resolved = deliver(payload("{}:{alertname=\"OrionNodeCpuHigh\"}", List.of(alert(
        "resolved", "a1b2c3", started, Map.of("alertname", "OrionNodeCpuHigh", "node", "w-alert-high",
            "pool", "default")))));
    assertEquals(200, resolved.status(), resolved.body());
    assertEquals(1, resolved.json().get("applied").asInt());
    assertEquals(Optional.empty(), service.alertClass(id));
    assertEquals(200, deliver(firing.replace("a1b2c3", "a1b2c4")).status());
    assertEquals(Optional.of(LoadClass.HIGH), service.alertClass(id));
  }

  @Test
  void aLateResolveOfAnEarlierFiringLeavesTheNewerOneAlone() {
    long id = api.register("w-alert-late", 2402, TestKeys.ed25519());
    Map<String, String> labels = Map.of("alertname", "Busy", "cpu_class", "moderate", "node", "w-alert-late");
    Instant first = Instant.parse("2026-12-02T10:00:00Z");
    Instant second = first.plusSeconds(600);
    assertEquals(200, deliver(payload("g", List.of(alert("firing", "bb01", second, labels)))).status());
    assertEquals(200, deliver(payload("g", List.of(alert("resolved", "bb01", first, labels)))).status());
    assertEquals(Optional.of(LoadClass.MODERATE), service.alertClass(id));
  }

  @Test
  void nodesAreNamedByHostnameFirstAndByInstanceOnlyWithoutOne() {
    long byInstance = api.register("w-alert-inst", 2403, TestKeys.ed25519());
    api.register("w-alert-named", 2404, TestKeys.ed25519());
    Instant t = Instant.parse("2026-12-02T11:00:00Z");
    Http.Response r = deliver(payload("g2", List.of(
        alert("firing", "cc01", t, Map.of("alertname", "X", "cpu_class", "high", "instance", "127.0.0.1:2403")),
        // A node label that names no node is not matched by its instance instead.
        alert("firing", "cc02", t, Map.of("alertname", "X", "cpu_class", "high", "node", "no-such-node",
            "instance", "127.0.0.1:2404")),
        // No class and no orion.io/* label: nothing to apply.
        alert("firing", "cc03", t, Map.of("alertname", "SomethingElse", "node", "w-alert-named")),
        // An unknown class is no class.
        alert("firing", "cc04", t, Map.of("alertname", "X", "cpu_class", "extreme", "node", "w-alert-named")))));
    assertEquals(200, r.status(), r.body());
    assertEquals(1, r.json().get("applied").asInt(), r.body());
    assertEquals(3, r.json().get("ignored").asInt(), r.body());
    assertEquals(Optional.of(LoadClass.HIGH), service.alertClass(byInstance));
  }

  @Test
  void orionLabelsAreKeptInBothSpellings() {
    long id = api.register("w-alert-labels", 2405, TestKeys.ed25519());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", "Maintenance");
    labels.put("node", "w-alert-labels");
    labels.put("orion.io/drain", "true");
    labels.put("orion_io_reason", "kernel");
    Http.Response r = deliver(payload("g3", List.of(alert("firing", "dd01", Instant.now(), labels))));
    assertEquals(1, r.json().get("applied").asInt(), r.body());
    String stored = api.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT labels FROM node_alert_classes WHERE fingerprint = 'dd01'").mapTo(String.class).one());
    assertEquals("{\"orion.io/drain\":\"true\",\"orion.io/reason\":\"kernel\"}", stored);
    assertEquals(Optional.empty(), service.alertClass(id), "labels only, no class");
  }

  @Test
  void aThousandAlertsInOnePayloadAboveTheUsualBodyLimit() {
    List<Map<String, Object>> alerts = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    String key = TestKeys.ed25519();
    for (int i = 0; i < 1000; i++) {
      String host = "w-bulk-" + i;
      ids.add(insertNode(host, 30000 + i, key));
      alerts.add(alert("firing", HexFormat.of().toHexDigits(0xe0000000L + i), Instant.now(),
          Map.of("alertname", "OrionNodeCpuModerate", "node", host, "pool", "default")));
    }
    String body = payload("bulk", alerts);
    assertTrue(body.length() > 64 * 1024, "larger than other requests may be: " + body.length());
    Http.Response r = deliver(body);
    assertEquals(200, r.status(), r.body());
    assertEquals(1000, r.json().get("applied").asInt());
    assertEquals(Optional.of(LoadClass.MODERATE), service.alertClass(ids.get(999)));
  }

  @Test
  void badTokensAndMalformedPayloadsChangeNothing() {
    api.register("w-alert-bad", 2406, TestKeys.ed25519());
    String good = payload("g4", List.of(alert("firing", "ee01", Instant.now(),
        Map.of("alertname", "OrionNodeCpuHigh", "node", "w-alert-bad"))));
    String before = api.snapshot();
    assertEquals(401, api.http.post("/api/alerts/alertmanager", null, good).status());
    assertEquals(401, api.http.post("/api/alerts/alertmanager", "wrong-token", good).status());
    assertEquals(401, api.http.post("/api/alerts/alertmanager", ApiHarness.AGENT_TOKEN, good).status());
    for (String bad : List.of("", "{", "[]", "null",
        good.replace("\"version\":\"4\"", "\"version\":\"3\""),
        good.replace("\"status\":\"firing\",\"labels\"", "\"status\":\"burning\",\"labels\""),
        good.replace("\"fingerprint\":\"ee01\"", "\"fingerprint\":\"not hex\""),
        good.replace("\"alerts\":[", "\"alerts\":[null,"),
        good.replaceFirst("\"startsAt\":\"[^\"]*\"", "\"startsAt\":\"yesterday\""),
        good.replace("\"node\":\"w-alert-bad\"", "\"node\":7"))) {
      Http.Response r = deliver(bad);
      assertEquals(400, r.status(), bad + " -> " + r.body());
      assertTrue(r.isProblem(), r.body());
    }
    assertEquals(before, api.snapshot());
  }
}
