package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryDecisionTest {
  static DueLease lease(String nodeStatus) {
    return new DueLease(7, 3, "active", "c_bob", Instant.parse("2026-01-01T00:00:00Z"),
        nodeStatus, "127.0.0.1", 2222, "ssh-ed25519 AAAA");
  }

  @Test
  void aliveNodeIsCleanedNow() {
    ExpiryPlan p = ExpiryDecision.plan(lease("alive"));
    assertTrue(p.deleteUser());
    assertFalse(p.reason().contains("scrubbed"), p.reason());
  }

  @Test
  void deadNodeIsLeftForTheScrubLoop() {
    ExpiryPlan p = ExpiryDecision.plan(lease("dead"));
    assertFalse(p.deleteUser());
    assertTrue(p.reason().contains("scrubbed"), p.reason());
  }

  @Test
  void suspectNodeIsNotTouchedEither() {
    assertFalse(ExpiryDecision.plan(lease("suspect")).deleteUser());
  }
}
