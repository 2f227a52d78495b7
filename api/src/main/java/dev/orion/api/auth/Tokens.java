package dev.orion.api.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.orion.common.problem.OrionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * JWT issue and verification. The algorithm is pinned to HS256 on both sides, so a token that
 * claims {@code alg: none} or another algorithm fails verification; {@code exp} is required.
 */
public final class Tokens {
  private static final String ISSUER = "orion";
  private final Algorithm algorithm;
  private final Duration ttl;
  private final Clock clock;
  private final JWTVerifier verifier;

  public Tokens(String secret, Duration ttl, Clock clock) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.ttl = ttl;
    this.clock = clock;
    this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
        .withIssuer(ISSUER)
        .withClaimPresence("exp")
        .withClaimPresence("uid")
        .withClaimPresence("role"))
        .build(clock);
  }

  public record Issued(String token, Instant expiresAt) {}

  public Issued issue(Principal p) {
    Instant now = clock.instant();
    Instant exp = now.plus(ttl);
    String token = JWT.create()
        .withIssuer(ISSUER)
        .withSubject(p.username())
        .withClaim("uid", p.userId())
        .withClaim("role", p.role())
        .withIssuedAt(now)
        .withExpiresAt(exp)
        .sign(algorithm);
    return new Issued(token, exp);
  }

  public Principal verify(String token) {
    try {
      DecodedJWT jwt = verifier.verify(token);
      return new Principal(jwt.getClaim("uid").asLong(), jwt.getSubject(), jwt.getClaim("role").asString());
    } catch (TokenExpiredException e) {
      throw OrionException.unauthorized("token expired");
    } catch (JWTVerificationException e) {
      throw OrionException.unauthorized("invalid token");
    }
  }
}
