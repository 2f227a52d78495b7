package dev.orion.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens follow the account: a role change, a new password and logout hold from the very next
 * request, although verified tokens are remembered until they expire.
 */
class RevocationTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** An admin-only request that changes nothing: 404 for an admin, 403 for a user. */
  private static int adminProbe(String token) {
    return api.http.delete("/api/nodes/999999999", token).status();
  }

  private static void setRole(String username, String role) {
    api.db.jdbi().useHandle(h -> h.createUpdate("UPDATE users SET role = :r WHERE username = :u")
        .bind("r", role).bind("u", username).execute());
  }

  @Test
  void aRoleChangeHoldsOnTheNextRequest() {
    api.http.post("/api/signup", null, Http.json(Map.of("username", "rolly", "password", "password-rolly")));
    String token = api.login("rolly", "password-rolly");
    assertEquals(403, adminProbe(token));
    setRole("rolly", Principal.ADMIN);
    assertEquals(404, adminProbe(token), "promoted: the same token is an admin's now");
    setRole("rolly", Principal.USER);
    assertEquals(403, adminProbe(token), "demoted on the next request, not at the token's expiry");
  }

  @Test
  void logoutRevokesEveryTokenOfTheCaller() {
    api.http.post("/api/signup", null, Http.json(Map.of("username", "leaver", "password", "password-leaver")));
    String first = api.login("leaver", "password-leaver");
    assertEquals(200, api.http.get("/api/nodes", first).status());
    String other = api.newUser("bystander");

    Http.Response out = api.http.post("/api/logout", first, null);
    assertEquals(200, out.status(), out.toString());
    assertEquals("Logged out", out.json().get("message").asText());
    Http.Response after = api.http.get("/api/nodes", first);
    assertEquals(401, after.status());
    assertTrue(after.isProblem());
    assertEquals(401, api.http.post("/api/logout", first, null).status(), "a revoked token cannot log out again");
    assertEquals(200, api.http.get("/api/nodes", other).status(), "other accounts are untouched");

    String again = api.login("leaver", "password-leaver");
    assertEquals(200, api.http.get("/api/nodes", again).status(), "a new login works");
    assertEquals(401, api.http.get("/api/nodes", first).status(), "the old token stays revoked");
  }

  @Test
  void aNewPasswordRevokesTheOldTokensButTheSamePasswordRewrittenDoesNot() {
    api.http.post("/api/signup", null, Http.json(Map.of("username", "rekey", "password", "password-rekey")));
    String token = api.login("rekey", "password-rekey");
    UserDao.UserRow u = api.db.jdbi().withExtension(UserDao.class, d -> d.find("rekey")).orElseThrow();

    api.db.jdbi().useExtension(UserDao.class, d -> d.update(u.id(), u.passwordHash(), u.role()));
    assertEquals(200, api.http.get("/api/nodes", token).status(), "nothing changed, nothing revoked");

    api.db.jdbi().useExtension(UserDao.class, d -> d.update(u.id(), Passwords.hash("a-new-password"), u.role()));
    assertEquals(401, api.http.get("/api/nodes", token).status());
    assertEquals(200, api.http.get("/api/nodes", api.login("rekey", "a-new-password")).status());
  }

  @Test
  void aDeletedAccountsTokenIsRefused() {
    String token = api.newUser("gone");
    api.db.jdbi().useHandle(h -> h.createUpdate("DELETE FROM users WHERE username LIKE 'gone%'").execute());
    assertEquals(401, api.http.get("/api/nodes", token).status());
  }
}
