package dev.orion.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orion.api.http.Json;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes every operation the served /openapi describes, against a replica with no scheduler: at
 * least {@link #CASES} generated requests per operation (bodies from the operation's own schema,
 * mutated into wrong types, missing and unknown fields, hostile strings and numbers, or plain
 * garbage; path parameters from real ids to junk; with a valid token, none or a forged one).
 * Every answer must be a 4xx problem+json or a 2xx with a readable body, never a 5xx, and a
 * refused request must leave every table as it was. The seed is printed, so a failure replays.
 *
 * <p>An operation answering {@code text/event-stream} (GET /api/events) never ends its 200 body,
 * so for it a success is checked by its status and Content-Type and the stream is closed at once
 * instead of reading a body to its end; its refusals are read and checked like any other. It
 * also gets hostile {@code Last-Event-ID} headers, the one input it reads besides the query.
 */
class OpenApiFuzzTest {
  static final int CASES = 500;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] HOSTILE_STRINGS = {"", " ", "x\u0000y", "\u001b[2J", "\u202egnp.exe", "ünï©ødé",
      "😀", "' OR 1=1 --", "../../etc/passwd", "$(reboot)", "`id`", "%00", "a".repeat(300), "null", "-1",
      "1e309", "ssh-ed25519 AAAA", "Bearer x", "{\"a\":1}", "\\", "\"", "127.0.0.1", "::1", "default",
      "2026-13-45T25:61:61Z", "0 0 * * *", "Europe/Nowhere", "*/0 * * * *"};
  private static final Object[] HOSTILE_NUMBERS = {0, -1, 1, 2147483647, 2147483648L, -2147483649L,
      Long.MAX_VALUE, 1.5, -0.0, 1e308, 99999999999999999999.0, 0.0001};
  private static final String[] PATH_VALUES = {"1", "2", "0", "-1", "999999999", "9223372036854775807",
      "99999999999999999999999", "abc", "1.5", "%00", "%2e%2e", "' or 1=1", "ö", "default", "system", "batch",
      "a".repeat(200), "1e3", "0x10", "+1", " 1"};

  record Op(String method, String path, JsonNode spec) {
    String key() {
      return method.toUpperCase() + " " + path;
    }
  }

  @Test
  void everyOperationAnswers4xxProblemOrAValidSuccessAndRejectionsChangeNothing() throws Exception {
    long seed = Long.getLong("orion.fuzz.seed", System.nanoTime());
    System.out.println("OpenApiFuzzTest seed " + seed + " (-Dorion.fuzz.seed=" + seed + " replays it)");
    Random rnd = new Random(seed);
    try (ApiHarness api = ApiHarness.start()) {
      JsonNode doc = api.http.get("/openapi", null).json();
      List<Op> ops = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> p = doc.get("paths").fields(); p.hasNext(); ) {
        Map.Entry<String, JsonNode> path = p.next();
        path.getValue().fields().forEachRemaining(m -> ops.add(new Op(m.getKey(), path.getKey(), m.getValue())));
      }
      assertTrue(ops.size() >= 25, "the document lists the API: " + ops.size());
      // No worker is rentable: a rent finds none free (409), so no SSH work outlives its answer.
      String user = api.newUser("fuzz");
      // One node in pool "default", never scrubbed: jobs and cron jobs for that pool are accepted
      // (so their ids exist for the other job operations), and still no rent finds a worker.
      api.register("fuzz-node", 2222, TestKeys.ed25519());
      // A job and a cron job of the fuzzing user, so ids 1 and 2 of theirs exist.
      for (int i = 0; i < 2; i++) {
        assertEquals(201, api.http.post("/api/jobs", user, "{\"name\":\"fuzz\",\"pool\":\"default\","
            + "\"command\":[\"true\"]}").status());
        assertEquals(201, api.http.post("/api/scheduled", user, "{\"name\":\"fuzz\",\"pool\":\"default\","
            + "\"command\":[\"true\"],\"cron\":\"0 3 * * *\"}").status());
      }
      List<String> tables = api.db.jdbi().withHandle(h -> h.createQuery(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
              + " AND table_name NOT IN ('flyway_schema_history', 'login_failures')").mapTo(String.class).list());

      Map<String, Map<Integer, Integer>> byOp = new TreeMap<>();
      Map<Integer, Integer> byStatus = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      int stateChanges = 0;
      String before = snapshot(api, tables);
      for (Op op : ops) {
        for (int i = 0; i < CASES; i++) {
          String token = switch (rnd.nextInt(10)) {
            case 0 -> null;
            case 1 -> "forged." + Long.toHexString(rnd.nextLong());
            default -> user;
          };
          String path = path(op.path(), rnd);
          String body = op.spec().has("requestBody") || rnd.nextInt(10) == 0 ? body(doc, op.spec(), rnd) : null;
          HttpRequest.Builder b = api.http.builder(path, token);
          boolean stream = op.spec().at("/responses/200/content").has("text/event-stream");
          if (stream && rnd.nextInt(3) == 0) {
            String v = PATH_VALUES[rnd.nextInt(PATH_VALUES.length)];
            if (v.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
              b.header("Last-Event-ID", v);
            }
          }
          if (body != null) {
            b.header("Content-Type", rnd.nextInt(20) == 0 ? "text/plain" : "application/json");
          }
          b.method(op.method().toUpperCase(), body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
          Http.Response r = stream ? openAndClose(b) : api.http.send(b);
          byOp.computeIfAbsent(op.key(), k -> new TreeMap<>()).merge(r.status(), 1, Integer::sum);
          byStatus.merge(r.status(), 1, Integer::sum);
          String what = op.key() + " " + path + " " + (body == null ? "" : abbreviate(body)) + " -> " + r;
          if (r.status() >= 500) {
            failures.add("5xx: " + what);
          } else if (r.status() >= 400) {
            if (!r.isProblem()) {
              failures.add("not problem+json: " + what);
            }
            String after = snapshot(api, tables);
            if (!after.equals(before)) {
              stateChanges++;
              failures.add("state changed by a rejected request: " + what);
              before = after;
            }
          } else {
            if (stream && (r.contentType() == null || !r.contentType().startsWith("text/event-stream"))) {
              failures.add("a stream's success is not text/event-stream: " + what);
            }
            if (r.contentType() != null && r.contentType().startsWith("application/json") && !r.body().isEmpty()) {
              try {
                Json.MAPPER.readTree(r.body());
              } catch (Exception e) {
                failures.add("unreadable success: " + what);
              }
            }
            if (op.key().equals("POST /api/logout")) {
              user = api.login(userName(api, user), "password-" + userName(api, user));
            }
            before = snapshot(api, tables);
          }
        }
      }
      System.out.println("OpenApiFuzzTest: " + ops.size() + " operations x " + CASES + " cases = "
          + ops.size() * CASES + " requests; answers by status " + byStatus + "; 5xx "
          + byStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(Map.Entry::getValue).sum()
          + "; state changes on rejected requests " + stateChanges);
      byOp.forEach((k, v) -> System.out.println("  " + k + " " + v));
      assertTrue(failures.isEmpty(), failures.size() + " bad answers (seed " + seed + "), first: "
          + failures.subList(0, Math.min(10, failures.size())));
      assertEquals(0, stateChanges);
    }
  }

  private static final java.net.http.HttpClient STREAMS = java.net.http.HttpClient.newHttpClient();

  /** Sends a request to an event stream: a 200 is closed at once (its body has no end), anything else read whole. */
  private static Http.Response openAndClose(HttpRequest.Builder b) throws Exception {
    java.net.http.HttpResponse<java.io.InputStream> r = STREAMS.send(b.build(),
        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    String type = r.headers().firstValue("Content-Type").orElse(null);
    try (java.io.InputStream in = r.body()) {
      String body = r.statusCode() == 200 ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Http.Response(r.statusCode(), type, null, body, r.headers());
    }
  }

  private static String userName(ApiHarness api, String token) {
    return com.auth0.jwt.JWT.decode(token).getSubject();
  }

  private static String snapshot(ApiHarness api, List<String> tables) {
    // The replica's event reader publishes committed events in the background: publish first,
    // so only a request's own writes change the digest.
    dev.orion.common.event.EventLog.publish(api.db.jdbi());
    return api.db.jdbi().withHandle(h -> {
      StringBuilder sb = new StringBuilder();
      for (String t : tables) {
        sb.append(t).append('=').append(h.createQuery("CHECKSUM TABLE `" + t + "`").mapToMap().one().get("checksum"))
            .append(';');
      }
      return sb.toString();
    });
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + ")";
  }

  private static String path(String template, Random rnd) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        out.append(template.substring(i));
        break;
      }
      out.append(template, i, open);
      int close = template.indexOf('}', open);
      String v = PATH_VALUES[rnd.nextInt(PATH_VALUES.length)];
      out.append(v.startsWith("%") ? v : URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
      i = close + 1;
    }
    if (rnd.nextInt(8) == 0) {
      String[] q = {"?all=true", "?all=maybe", "?all=", "?x=%00", "?all=true&all=false"};
      out.append(q[rnd.nextInt(q.length)]);
    }
    return out.toString();
  }

  private static String body(JsonNode doc, JsonNode op, Random rnd) {
    int mode = rnd.nextInt(20);
    if (mode == 0) {
      String[] raw = {"", "{", "[]", "null", "{\"a\":", "\u0000", "{}{}", "[1,2", "true", "\"str\"",
          "{\"username\":\"\\ud800\"}", "{" + "\"k\":1,".repeat(50) + "\"k\":2}"};
      return raw[rnd.nextInt(raw.length)];
    }
    JsonNode schema = op.at("/requestBody/content/application~1json/schema");
    JsonNode value = schema.isMissingNode() ? hostile(rnd) : gen(doc, schema, rnd, 0);
    return value.toString();
  }

  private static JsonNode resolve(JsonNode doc, JsonNode schema) {
    JsonNode s = schema;
    for (int i = 0; i < 5 && s.has("$ref"); i++) {
      s = doc.at(s.get("$ref").asText().substring(1));
    }
    return s;
  }

  private static JsonNode gen(JsonNode doc, JsonNode schema, Random rnd, int depth) {
    JsonNode s = resolve(doc, schema);
    if (rnd.nextInt(8) == 0 || depth > 4) {
      return hostile(rnd);
    }
    String type = s.path("type").asText(s.has("properties") ? "object" : "string");
    switch (type) {
      case "object" -> {
        ObjectNode o = F.objectNode();
        s.path("properties").fields().forEachRemaining(p -> {
          if (rnd.nextInt(10) < 8) {
            o.set(p.getKey(), gen(doc, p.getValue(), rnd, depth + 1));
          }
        });
        if (s.has("additionalProperties") && s.get("additionalProperties").isObject() && rnd.nextBoolean()) {
          for (int i = rnd.nextInt(4); i > 0; i--) {
            o.set(HOSTILE_STRINGS[rnd.nextInt(HOSTILE_STRINGS.length)] + i,
                gen(doc, s.get("additionalProperties"), rnd, depth + 1));
          }
        }
        if (rnd.nextInt(10) == 0) {
          o.put("unknown_field", 1);
        }
        return o;
      }
      case "array" -> {
        ArrayNode a = F.arrayNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(gen(doc, s.path("items"), rnd, depth + 1));
        }
        return a;
      }
      case "integer" -> {
        int[] small = {1, 2, 5, 10, 60, 100, 0, -1};
        return F.numberNode(small[rnd.nextInt(small.length)]);
      }
      case "number" -> {
        double[] d = {0.5, 1, 1.5, 2, 24, 0.01, 720, 1000};
        return F.numberNode(d[rnd.nextInt(d.length)]);
      }
      case "boolean" -> {
        return F.booleanNode(rnd.nextBoolean());
      }
      default -> {
        String[] plain = {"fuzz" + rnd.nextInt(1000), "user-" + rnd.nextInt(100) + "-password", "default",
            "127.0.0.1", TestKeys.ed25519(), "Europe/Paris", "0 8 * * 1-5", "Mon-Fri 08:00-19:00", "2027-12-25",
            "gpu", "none", "high"};
        return F.textNode(plain[rnd.nextInt(plain.length)]);
      }
    }
  }

  private static JsonNode hostile(Random rnd) {
    switch (rnd.nextInt(5)) {
      case 0:
        return F.nullNode();
      case 1: {
        Object n = HOSTILE_NUMBERS[rnd.nextInt(HOSTILE_NUMBERS.length)];
        return n instanceof Integer i ? F.numberNode(i) : n instanceof Long l ? F.numberNode(l)
            : F.numberNode((Double) n);
      }
      case 2:
        return rnd.nextBoolean() ? F.arrayNode().add(1) : F.objectNode().put("x", "y");
      case 3:
        return F.booleanNode(rnd.nextBoolean());
      default:
        return F.textNode(HOSTILE_STRINGS[rnd.nextInt(HOSTILE_STRINGS.length)]);
    }
  }
}
