package dev.orion.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.problem.OrionException;
import dev.orion.common.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokensTest {
  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Tokens tokens = new Tokens("0123456789abcdef0123456789abcdef", Duration.ofMinutes(10), clock);
  private final Principal alice = new Principal(7, "alice", Principal.USER);

  @Test
  void aRememberedTokenStillExpiresOnTime() {
    String token = tokens.issue(alice).token();
    assertEquals(alice, tokens.verify(token));
    clock.advance(Duration.ofMinutes(9).plusSeconds(59));
    assertEquals(alice, tokens.verify(token), "remembered and still valid");
    clock.advance(Duration.ofSeconds(1));
    OrionException e = assertThrows(OrionException.class, () -> tokens.verify(token));
    assertEquals("token expired", e.getMessage());
  }

  @Test
  void aTamperedCopyOfARememberedTokenIsRefused() {
    String token = tokens.issue(alice).token();
    tokens.verify(token);
    String[] parts = token.split("\\.");
    String admin = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"user\"", "\"admin\"").getBytes());
    assertThrows(OrionException.class, () -> tokens.verify(parts[0] + "." + admin + "." + parts[2]));
    char last = parts[2].charAt(parts[2].length() - 1);
    String resigned = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThrows(OrionException.class, () -> tokens.verify(resigned));
  }

  @Test
  void theMemoryIsBounded() {
    for (int i = 0; i < Tokens.MAX_REMEMBERED + 10; i++) {
      clock.advance(Duration.ofSeconds(1)); // a new iat, so a new token text
      tokens.verify(tokens.issue(new Principal(i, "u" + i, Principal.USER)).token());
    }
    assertTrue(tokens.remembered() <= Tokens.MAX_REMEMBERED, "remembered " + tokens.remembered());
  }
}
