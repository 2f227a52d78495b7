package dev.orion.api.auth;

import dev.orion.api.http.Origins;
import dev.orion.common.problem.OrionException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads the caller's identity from the {@code Authorization} header or, for browsers, from the
 * session cookie {@link #COOKIE}. The cookie holds the same JWT login answers, so logout (the
 * account's token version) ends it like any bearer token. A cookie is sent by the browser whoever
 * made the page that caused the request, so a state-changing request it signs in must carry an
 * {@code Origin} equal to the API's own (SameSite=Strict already keeps other sites' requests
 * from carrying it; this holds even where a browser does not honour it).
 */
public final class Guard {
  /** The browser session cookie: the login token, HttpOnly, Secure, SameSite=Strict. */
  public static final String COOKIE = "orion_session";
  private final Tokens tokens;
  private final Sessions sessions;
  private final byte[] agentToken;
  private final Optional<String> publicOrigin;

  public Guard(Tokens tokens, Sessions sessions, String agentToken) {
    this(tokens, sessions, agentToken, Optional.empty());
  }

  /** {@code publicOrigin}: ORION_PUBLIC_ORIGIN, normalised; empty: each request's own origin. */
  public Guard(Tokens tokens, Sessions sessions, String agentToken, Optional<String> publicOrigin) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.agentToken = agentToken.getBytes(StandardCharsets.UTF_8);
    this.publicOrigin = publicOrigin;
  }

  /**
   * The caller, with the role its account has now; a revoked token is a 401. A bearer token wins
   * over the cookie; a request signed in by the cookie alone that changes state must come from
   * the API's own origin (403 otherwise).
   */
  public Principal user(Context ctx) {
    return caller(ctx).principal();
  }

  /** A signed-in caller: who (with the role the account has now), the token's version and expiry. */
  public record Caller(Principal principal, int tokenVersion, java.time.Instant expiresAt) {}

  /** As {@link #user}, with what a connection outliving the request must re-check ({@link Sessions#revoked}). */
  public Caller caller(Context ctx) {
    if (ctx.header("Authorization") != null) {
      Tokens.Claims c = tokens.claims(bearer(ctx));
      return new Caller(sessions.current(c), c.version(), c.expiresAt());
    }
    String cookie = ctx.cookie(COOKIE);
    if (cookie == null || cookie.isBlank()) {
      throw OrionException.unauthorized("missing bearer token (or session cookie)");
    }
    Tokens.Claims c = tokens.claims(cookie);
    Principal p = sessions.current(c);
    if (changesState(ctx.method())) {
      requireSameOrigin(ctx, true);
    }
    return new Caller(p, c.version(), c.expiresAt());
  }

  /**
   * Refuses (403) a request whose {@code Origin} is not the API's own; without an Origin header
   * only when {@code required} (curl sends none; browsers send one with every POST).
   */
  public void requireSameOrigin(Context ctx, boolean required) {
    String given = ctx.header("Origin");
    if (given == null && !required) {
      return;
    }
    Optional<String> own = Origins.ofRequest(ctx, publicOrigin);
    Optional<String> from = Origins.parse(given);
    if (from.isEmpty() || own.isEmpty() || !from.get().equals(own.get())) {
      throw OrionException.forbidden(given == null
          ? "a request signed in by the session cookie that changes state must carry an Origin header"
          : "Origin " + given + " is not this API's origin" + own.map(o -> " (" + o + ")").orElse(""));
    }
  }

  private static boolean changesState(HandlerType method) {
    return method != HandlerType.GET && method != HandlerType.HEAD && method != HandlerType.OPTIONS;
  }

  /** The session cookie carrying {@code token} until it expires. */
  public static String sessionCookie(String token, Duration maxAge) {
    return COOKIE + "=" + token + "; Max-Age=" + Math.max(0, maxAge.toSeconds())
        + "; Path=/; Secure; HttpOnly; SameSite=Strict";
  }

  /** Tells the browser to drop the session cookie. */
  public static String clearedCookie() {
    return COOKIE + "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict";
  }

  public Principal admin(Context ctx) {
    Principal p = user(ctx);
    if (!p.isAdmin()) {
      throw OrionException.forbidden("admin only");
    }
    return p;
  }

  /**
   * An agent's credential: the shared enrollment token (compared in constant time) or else a node
   * token, which the node service looks up by its hash.
   */
  public AgentCredential agent(Context ctx) {
    String given = bearer(ctx);
    if (MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), agentToken)) {
      return new AgentCredential.Enrollment();
    }
    return new AgentCredential.NodeToken(NodeTokens.hash(given));
  }

  /** A node token's hash; the enrollment token is refused here (heartbeats need a node's own). */
  public String nodeToken(Context ctx) {
    if (agent(ctx) instanceof AgentCredential.NodeToken t) {
      return t.hash();
    }
    throw OrionException.unauthorized("the enrollment token only registers; send the node token registration returned");
  }

  private static String bearer(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
      throw OrionException.unauthorized("missing bearer token");
    }
    return h.substring(7).trim();
  }
}
