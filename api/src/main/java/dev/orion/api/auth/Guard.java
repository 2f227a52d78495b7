package dev.orion.api.auth;

import dev.orion.common.problem.OrionException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Reads the caller's identity from the {@code Authorization} header. */
public final class Guard {
  private final Tokens tokens;
  private final Sessions sessions;
  private final byte[] agentToken;

  public Guard(Tokens tokens, Sessions sessions, String agentToken) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.agentToken = agentToken.getBytes(StandardCharsets.UTF_8);
  }

  /** The caller, with the role its account has now; a revoked token is a 401. */
  public Principal user(Context ctx) {
    return sessions.current(tokens.claims(bearer(ctx)));
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
