package dev.orion.scheduler.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpiryDecisionTest {
  static DueLease lease(String nodeStatus, Long target) {
    return new DueLease(7, 3, target, "active", "c_bob", Instant.parse("2026-01-01T00:00:00Z"),
        nodeStatus, "127.0.0.1", 2222, "ssh-ed25519 AAAA");
  }

  @Test
  void aliveNodeIsCleanedNow() {
    ExpiryPlan p = ExpiryDecision.plan(lease("alive", null));
    assertTrue(p.deleteUser());
    assertEquals(List.of(3L), p.nodesToFree());
  }

  @Test
  void deadNodeIsLeftForTheScrubLoop() {
    ExpiryPlan p = ExpiryDecision.plan(lease("dead", null));
    assertFalse(p.deleteUser());
    assertTrue(p.reason().contains("scrubbed"), p.reason());
  }

  @Test
  void suspectNodeIsNotTouchedEither() {
    assertFalse(ExpiryDecision.plan(lease("suspect", null)).deleteUser());
  }

  @Test
  void aMigrationTargetIsFreedWithTheLease() {
    assertEquals(List.of(3L, 9L), ExpiryDecision.plan(lease("dead", 9L)).nodesToFree());
  }
}
