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
