package dev.orion.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.SseClient;
import dev.orion.api.support.TestKeys;
import dev.orion.testkit.Ports;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browser sign-in: login also sets an HttpOnly, Secure, SameSite=Strict session cookie holding
 * the token; it signs in reads and the event stream; a request it signs in that changes state
 * must come from the API's own origin (as the edge saw the request), else 403 and nothing
 * changes; logout ends it like any token; bearer tokens work as before, whatever the Origin.
 */
class SessionCookieTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  record Session(String token, String setCookie) {
    String cookie() {
      return Guard.COOKIE + "=" + token;
    }
  }

  static Session login(String user, String password) {
    Http.Response r = api.http.post("/api/login", null, Http.json(Map.of("username", user, "password", password)));
    assertEquals(200, r.status(), r.toString());
    return new Session(r.json().get("token").asText(), r.header("Set-Cookie"));
  }

  static Http.Response withCookie(String method, String path, String cookie, Map<String, String> headers) {
    HttpRequest.Builder b = api.http.builder(path, null).header("Cookie", cookie);
    headers.forEach(b::header);
    return api.http.send(b.method(method, HttpRequest.BodyPublishers.noBody()));
  }

  static String nodeStatus(long id) {
    return api.db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM nodes WHERE id = :id").bind("id", id)
        .mapTo(String.class).one());
  }

  @Test
  void loginSetsAnHttpOnlySecureStrictCookieHoldingTheToken() {
    Session s = login(ApiHarness.ADMIN, ApiHarness.ADMIN_PASSWORD);
    assertNotNull(s.setCookie(), "a session cookie");
    assertTrue(s.setCookie().startsWith(Guard.COOKIE + "=" + s.token() + ";"), s.setCookie());
    for (String attr : List.of("HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=3600")) {
      assertTrue(List.of(s.setCookie().split(";\\s*")).contains(attr), attr + " in " + s.setCookie());
    }
  }

  @Test
  void theCookieSignsInReadsAndTheEventStream() throws Exception {
    Session s = login(ApiHarness.ADMIN, ApiHarness.ADMIN_PASSWORD);
    assertEquals(200, withCookie("GET", "/api/nodes", s.cookie(), Map.of()).status());
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(api.http.builder("/api/events", null)
        .header("Cookie", s.cookie()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    }
    assertEquals(401, withCookie("GET", "/api/nodes", Guard.COOKIE + "=forged.token.x", Map.of()).status());
  }

  @Test
  void aStateChangeSignedInByTheCookieMustComeFromTheApisOwnOrigin() {
    Session admin = login(ApiHarness.ADMIN, ApiHarness.ADMIN_PASSWORD);
    long node = api.register("cookie-" + System.nanoTime(), Ports.free(), TestKeys.ed25519());
    String path = "/api/nodes/" + node;
    String own = api.url();
    String before = api.snapshot();
    for (Map<String, String> h : List.of(Map.<String, String>of(), Map.of("Origin", "https://evil.example"),
        Map.of("Origin", "null"), Map.of("Origin", own.replaceAll(":\\d+$", ":1")), Map.of("Origin", own + "/x"),
        // The forwarded host names the origin the edge was asked for; the replica's own address is not it then.
        Map.of("Origin", own, "X-Forwarded-Host", "orion.example", "X-Forwarded-Proto", "https"))) {
      Http.Response r = withCookie("DELETE", path, admin.cookie(), h);
      assertEquals(403, r.status(), h + " -> " + r);
      assertTrue(r.isProblem(), r.toString());
      assertEquals(before, api.snapshot(), "refused with " + h + ", nothing changed");
    }
    assertEquals("alive", nodeStatus(node));
    Http.Response ok = withCookie("DELETE", path, admin.cookie(), Map.of("Origin", own));
    assertTrue(ok.status() / 100 == 2, ok.toString());
    assertEquals("forgotten", nodeStatus(node));

    // Through the edge: the origin is the one Caddy was asked for (X-Forwarded-Host and -Proto).
    long second = api.register("cookie-edge-" + System.nanoTime(), Ports.free(), TestKeys.ed25519());
    Http.Response viaEdge = withCookie("DELETE", "/api/nodes/" + second, admin.cookie(), Map.of(
        "Origin", "https://orion.example", "X-Forwarded-Host", "orion.example", "X-Forwarded-Proto", "https"));
    assertTrue(viaEdge.status() / 100 == 2, viaEdge.toString());

    // A bearer token is no browser's ambient credential: its requests pass whatever the Origin.
    long third = api.register("cookie-bearer-" + System.nanoTime(), Ports.free(), TestKeys.ed25519());
    HttpRequest.Builder b = api.http.builder("/api/nodes/" + third, admin.token()).header("Origin", "https://evil.example");
    assertTrue(api.http.send(b.DELETE()).status() / 100 == 2);
  }

  @Test
  void logoutEndsTheCookieSessionAndClearsTheCookie() throws Exception {
    String user = "cookie" + System.nanoTime() % 100000;
    assertEquals(201, api.http.post("/api/signup", null, Http.json(Map.of("username", user, "password", "password-" + user)))
        .status());
    Session s = login(user, "password-" + user);
    assertEquals(200, withCookie("GET", "/api/rentals", s.cookie(), Map.of()).status());
    SseClient stream = SseClient.open(api.url() + "/api/events", Map.of("Cookie", s.cookie()));
    assertEquals(200, stream.status);
    assertEquals(403, withCookie("POST", "/api/logout", s.cookie(), Map.of("Origin", "https://evil.example")).status(),
        "a page of another site cannot log the user out either");
    Http.Response out = withCookie("POST", "/api/logout", s.cookie(), Map.of("Origin", api.url()));
    assertEquals(200, out.status(), out.toString());
    assertTrue(out.header("Set-Cookie").startsWith(Guard.COOKIE + "=;"), out.header("Set-Cookie"));
    assertTrue(out.header("Set-Cookie").contains("Max-Age=0"), out.header("Set-Cookie"));
    assertEquals(401, withCookie("GET", "/api/rentals", s.cookie(), Map.of()).status(), "the cookie is revoked");
    assertEquals(401, withCookie("GET", "/api/events", s.cookie(), Map.of()).status());
    assertEquals(401, api.http.get("/api/rentals", s.token()).status(), "and so is the same token as bearer");
    // A stream opened before the logout outlived the request that checked its cookie: it is ended too.
    assertTrue(stream.awaitEnd(Duration.ofSeconds(30)), "the open event stream ends at logout");
  }

  @Test
  void aLoginFromAPageOfAnotherOriginIsRefused() {
    HttpRequest.Builder b = api.http.builder("/api/login", null).header("Content-Type", "application/json")
        .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(
            Http.json(Map.of("username", ApiHarness.ADMIN, "password", ApiHarness.ADMIN_PASSWORD))));
    Http.Response r = api.http.send(b);
    assertEquals(403, r.status(), r.toString());
    assertEquals(null, r.header("Set-Cookie"));
    HttpRequest.Builder same = api.http.builder("/api/login", null).header("Content-Type", "application/json")
        .header("Origin", api.url()).POST(HttpRequest.BodyPublishers.ofString(
            Http.json(Map.of("username", ApiHarness.ADMIN, "password", ApiHarness.ADMIN_PASSWORD))));
    assertEquals(200, api.http.send(same).status());
  }
}
