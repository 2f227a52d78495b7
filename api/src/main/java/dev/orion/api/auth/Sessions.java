package dev.orion.api.auth;

import dev.orion.common.problem.OrionException;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether the account still stands behind a genuine token, checked on every request: the account
 * exists, its token version is the one the token carries (logout and a new password bump it), and
 * its role is the one it has now. One primary-key read, shared by every replica through the
 * database, so a revocation or demotion holds on the next request wherever it lands.
 */
public final class Sessions {
  private final Jdbi jdbi;

  public Sessions(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Of these signed-in callers, the ones whose token no longer stands (account gone, logged out,
   * new password, another role) or has expired at {@code now}: one query for all, for connections
   * that outlive a request (event streams).
   */
  public java.util.Set<Guard.Caller> revoked(java.util.Collection<Guard.Caller> callers, java.time.Instant now) {
    java.util.Set<Guard.Caller> out = new java.util.HashSet<>();
    if (callers.isEmpty()) {
      return out;
    }
    java.util.Map<Long, UserDao.IdStanding> standing = new java.util.HashMap<>();
    for (UserDao.IdStanding s : jdbi.withExtension(UserDao.class,
        d -> d.standings(callers.stream().map(c -> c.principal().userId()).distinct().toList()))) {
      standing.put(s.id(), s);
    }
    for (Guard.Caller c : callers) {
      UserDao.IdStanding s = standing.get(c.principal().userId());
      if (s == null || s.tokenVersion() != c.tokenVersion() || !s.role().equals(c.principal().role())
          || !now.isBefore(c.expiresAt())) {
        out.add(c);
      }
    }
    return out;
  }

  public Principal current(Tokens.Claims claims) {
    Principal p = claims.principal();
    UserDao.Standing s = jdbi.withExtension(UserDao.class, d -> d.standing(p.userId()))
        .orElseThrow(() -> OrionException.unauthorized("the token's account no longer exists"));
    if (s.tokenVersion() != claims.version()) {
      throw OrionException.unauthorized("token revoked (logged out or password changed); log in again");
    }
    return s.role().equals(p.role()) ? p : new Principal(p.userId(), p.username(), s.role());
  }
}
