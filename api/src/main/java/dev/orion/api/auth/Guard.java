package dev.orion.api.auth;

import dev.orion.common.problem.OrionException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Reads the caller's identity from the {@code Authorization} header. */
public final class Guard {
  private final Tokens tokens;
  private final byte[] agentToken;

  public Guard(Tokens tokens, String agentToken) {
    this.tokens = tokens;
    this.agentToken = agentToken.getBytes(StandardCharsets.UTF_8);
  }

  public Principal user(Context ctx) {
    return tokens.verify(bearer(ctx));
  }

  public Principal admin(Context ctx) {
    Principal p = user(ctx);
    if (!p.isAdmin()) {
      throw OrionException.forbidden("admin only");
    }
    return p;
  }

  /** Agents present the shared enrollment token; compared in constant time. */
  public void agent(Context ctx) {
    byte[] given = bearer(ctx).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, agentToken)) {
      throw OrionException.unauthorized("invalid enrollment token");
    }
  }

  private static String bearer(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
      throw OrionException.unauthorized("missing bearer token");
    }
    return h.substring(7).trim();
  }
}
