package dev.orion.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthApiTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void signupLoginAndTakenName() {
    Http.Response r = api.http.post("/api/signup", null, Http.json(Map.of("username", "alice", "password", "secret-pass")));
    assertEquals(201, r.status(), r.body());
    assertEquals(409, api.http.post("/api/signup", null,
        Http.json(Map.of("username", "ALICE", "password", "other-pass"))).status(), "names are case-insensitive");
    Http.Response login = api.http.post("/api/login", null, Http.json(Map.of("username", "alice", "password", "secret-pass")));
    assertEquals(200, login.status());
    assertTrue(Instant.parse(login.json().get("expires_at").asText()).isAfter(Instant.now()));
    assertEquals(200, api.http.get("/api/nodes", login.json().get("token").asText()).status());
  }

  @Test
  void wrongPasswordAndUnknownUserLookTheSame() {
    api.http.post("/api/signup", null, Http.json(Map.of("username", "bob", "password", "secret-pass")));
    Http.Response wrong = api.http.post("/api/login", null, Http.json(Map.of("username", "bob", "password", "nope-nope")));
    Http.Response unknown = api.http.post("/api/login", null, Http.json(Map.of("username", "nobody", "password", "nope-nope")));
    assertEquals(401, wrong.status());
    assertEquals(401, unknown.status());
    assertEquals(wrong.json().get("detail"), unknown.json().get("detail"));
  }

  @Test
  void forgedExpiredAndUnsignedTokensAreRefused() {
    String real = api.newUser("tok");
    String[] parts = real.split("\\.");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String noneHeader = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String adminClaims = b64.encodeToString(("{\"iss\":\"orion\",\"sub\":\"admin\",\"uid\":1,\"role\":\"admin\",\"exp\":"
        + (Instant.now().getEpochSecond() + 3600) + "}").getBytes(StandardCharsets.UTF_8));
    String[] bad = {
        noneHeader + "." + adminClaims + ".",
        parts[0] + "." + adminClaims + "." + parts[2],
        JWT.create().withIssuer("orion").withSubject("x").withClaim("uid", 1).withClaim("role", "admin")
            .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256("another-secret-0123456789-0123456789")),
        JWT.create().withIssuer("orion").withSubject("x").withClaim("uid", 1).withClaim("role", "admin")
            .withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256(ApiHarness.JWT_SECRET)),
        JWT.create().withIssuer("orion").withSubject("x").withClaim("uid", 1).withClaim("role", "admin")
            .sign(Algorithm.HMAC256(ApiHarness.JWT_SECRET)),
        JWT.create().withIssuer("orion").withSubject("x").withClaim("uid", 1).withClaim("role", "admin")
            .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC384(ApiHarness.JWT_SECRET)),
        "not-a-jwt",
    };
    String before = api.snapshot();
    for (String token : bad) {
      Http.Response r = api.http.post("/api/reset", token, null);
      assertEquals(401, r.status(), token + " -> " + r);
      assertTrue(r.isProblem(), r.contentType());
    }
    assertEquals(401, api.http.get("/api/nodes", null).status());
    assertEquals(before, api.snapshot());
  }

  @Test
  void resetIsAdminOnly() {
    assertEquals(403, api.http.post("/api/reset", api.newUser("plain"), null).status());
    assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
  }

  @Test
  void badSignupBodies() {
    String[] bodies = {
        "", "{", "[]", "null", "\"alice\"", "{\"username\":\"carol\"}", "{\"password\":\"12345678\"}",
        "{\"username\":\"carol\",\"password\":12345678}", "{\"username\":[\"c\"],\"password\":\"12345678\"}",
        "{\"username\":\"carol\",\"password\":\"12345678\",\"role\":\"admin\"}",
        "{\"username\":\"ca\",\"password\":\"12345678\"}", "{\"username\":\"carol\",\"password\":\"short\"}",
        "{\"username\":\"carol;rm -rf\",\"password\":\"12345678\"}",
        "{\"username\":\"carol\",\"password\":\"12345678\"} trailing",
    };
    String before = api.snapshot();
    for (String body : bodies) {
      Http.Response r = api.http.post("/api/signup", null, body);
      assertEquals(400, r.status(), body + " -> " + r);
      assertTrue(r.isProblem());
      assertEquals(400, r.json().get("status").asInt());
      assertTrue(r.json().get("detail").asText().length() > 5, r.body());
    }
    assertEquals(before, api.snapshot());
  }

  @Test
  void oversizedBodyIs413AndUnknownRouteIs404Problem() {
    String big = "{\"username\":\"" + "x".repeat(70 * 1024) + "\",\"password\":\"12345678\"}";
    Http.Response r = api.http.post("/api/signup", null, big);
    assertEquals(413, r.status(), r.toString());
    assertTrue(r.isProblem());
    Http.Response missing = api.http.get("/api/nope", null);
    assertEquals(404, missing.status());
    assertTrue(missing.isProblem());
  }

  @Test
  void docsAndOpenApiAreServed() {
    Http.Response doc = api.http.get("/openapi", null);
    assertEquals(200, doc.status());
    assertTrue(doc.json().get("paths").has("/api/rent"));
    assertTrue(doc.json().at("/components/schemas/Rent/properties").has("duration_hours"), doc.body());
    assertEquals(200, api.http.get("/docs", null).status());
    assertEquals(200, api.http.get("/api/health", null).status());
    assertEquals(200, api.http.get("/api/ready", null).status());
    assertEquals(404, api.http.get("/metrics", null).status(), "metrics are not on the API's port");
  }
}
