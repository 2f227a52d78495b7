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
import java.util.concurrent.ConcurrentHashMap;

/**
 * JWT issue and verification. The algorithm is pinned to HS256 on both sides, so a token that
 * claims {@code alg: none} or another algorithm fails verification; {@code exp} is required.
 *
 * <p>A client sends the same token with every request until it expires, and verifying one
 * (base64, JSON, HMAC) costs more than serving a cached read, so verified tokens are remembered by
 * their exact text until their {@code exp}. Only a token that passed verification is remembered,
 * so a forged one never matches. What is remembered is only that the text is a genuine token
 * with these claims: whether the account still stands behind it (its role now, logout, a new
 * password) is checked against the database on every request ({@link Sessions}).
 */
public final class Tokens {
  private static final String ISSUER = "orion";
  /** Bound on remembered tokens; when full the memory starts over, which only costs speed. */
  static final int MAX_REMEMBERED = 10_000;
  private final Algorithm algorithm;
  private final Duration ttl;
  private final Clock clock;
  private final JWTVerifier verifier;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

  private record Verified(Claims claims, Instant expiresAt) {}

  /** A genuine, unexpired token's claims: who, the account's token version when it was issued, and its expiry. */
  public record Claims(Principal principal, int version, Instant expiresAt) {}

  public Tokens(String secret, Duration ttl, Clock clock) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.ttl = ttl;
    this.clock = clock;
    this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
        .withIssuer(ISSUER)
        .withClaimPresence("exp")
        .withClaimPresence("uid")
        .withClaimPresence("role")
        .withClaimPresence("ver"))
        .build(clock);
  }

  /** A new token; {@code ttl}: how long it is valid from now (the session cookie's Max-Age). */
  public record Issued(String token, Instant expiresAt, Duration ttl) {}

  /** A token for {@code p} at token version 0 (an account never revoked). */
  public Issued issue(Principal p) {
    return issue(p, 0);
  }

  public Issued issue(Principal p, int version) {
    Instant now = clock.instant();
    Instant exp = now.plus(ttl);
    String token = JWT.create()
        .withIssuer(ISSUER)
        .withSubject(p.username())
        .withClaim("uid", p.userId())
        .withClaim("role", p.role())
        .withClaim("ver", version)
        .withIssuedAt(now)
        .withExpiresAt(exp)
        .sign(algorithm);
    return new Issued(token, exp, ttl);
  }

  /** The principal as the token states it (role included; see {@link Sessions} for the current one). */
  public Principal verify(String token) {
    return claims(token).principal();
  }

  public Claims claims(String token) {
    Verified known = verified.get(token);
    if (known != null && clock.instant().isBefore(known.expiresAt())) {
      return known.claims();
    }
    try {
      DecodedJWT jwt = verifier.verify(token);
      Integer version = jwt.getClaim("ver").asInt();
      if (version == null) {
        throw OrionException.unauthorized("invalid token");
      }
      Claims c = new Claims(new Principal(jwt.getClaim("uid").asLong(), jwt.getSubject(),
          jwt.getClaim("role").asString()), version, jwt.getExpiresAtAsInstant());
      if (verified.size() >= MAX_REMEMBERED) {
        verified.clear();
      }
      verified.put(token, new Verified(c, jwt.getExpiresAtAsInstant()));
      return c;
    } catch (TokenExpiredException e) {
      verified.remove(token);
      throw OrionException.unauthorized("token expired");
    } catch (JWTVerificationException e) {
      throw OrionException.unauthorized("invalid token");
    }
  }

  int remembered() {
    return verified.size();
  }
}
