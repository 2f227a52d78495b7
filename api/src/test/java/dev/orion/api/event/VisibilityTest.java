package dev.orion.api.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Who sees which event, and what of it. */
class VisibilityTest {
  static final long OWNER = 7;
  static final long OTHER = 8;
  static final Instant AT = Instant.parse("2026-12-03T08:00:00.123456Z");

  static StreamDao.Row row(String kind, Long lease, Long node, Long job, Long sched, String from, String to,
      Long leaseUser, Long jobUser, Long schedUser) {
    return new StreamDao.Row(42, kind, AT, lease, node, job, sched, kind.equals("pool") ? "gpu" : null, from, to,
        lease == null ? null : 3L, lease == null ? null : 4L, "why", leaseUser,
        jobUser, schedUser);
  }

  static String text(byte[] frame) {
    return frame == null ? null : new String(frame, StandardCharsets.UTF_8);
  }

  @Test
  void leaseJobAndScheduleEventsAreTheirOwnersAndAdminsOnly() {
    for (StreamDao.Row r : new StreamDao.Row[] {
        row("lease", 5L, null, null, null, "active", "ended", OWNER, null, null),
        row("job", null, null, 9L, null, "pending", "running", null, OWNER, null),
        row("schedule", null, null, null, 11L, null, "created", null, null, OWNER)}) {
      Visibility.Views v = Visibility.of(r);
      assertTrue(v.forViewer(OWNER, false) != null, r.kind());
      assertNull(v.forViewer(OTHER, false), r.kind());
      assertArrayEquals(v.forViewer(OWNER, false), v.forViewer(OTHER, true), "admins see the owner's view");
    }
  }

  @Test
  void aFrameIsIdEventAndOneDataLine() {
    String f = text(Visibility.of(row("lease", 5L, null, null, null, "active", "ended", OWNER, null, null))
        .forViewer(OWNER, false));
    assertEquals("id: 42\nevent: lease\ndata: {\"at\":\"2026-12-03T08:00:00.123456Z\",\"kind\":\"lease\","
        + "\"rental_id\":5,\"node_id\":4,\"from\":\"active\",\"to\":\"ended\",\"reason\":\"why\"}\n\n", f);
  }

  @Test
  void nodeAndPoolEventsArePublic() {
    Visibility.Views node = Visibility.of(row("node", null, 3L, null, null, "alive", "dead", null, null, null));
    assertArrayEquals(node.forViewer(OWNER, false), node.forViewer(OTHER, false));
    Visibility.Views pool = Visibility.of(row("pool", null, null, null, null, "awake", "asleep", null, null, null));
    assertTrue(text(pool.forViewer(OTHER, false)).contains("\"pool\":\"gpu\""));
  }

  @Test
  void loadEventsArePublicWithoutTheLeaseExceptALongStretchOnlyTheLesseeIsTold() {
    Visibility.Views change = Visibility.of(row("load", 5L, 3L, null, null, "low", "high", OWNER, null, null));
    assertTrue(text(change.forViewer(OWNER, false)).contains("\"rental_id\":5"));
    String seen = text(change.forViewer(OTHER, false));
    assertFalse(seen.contains("rental_id"), seen);
    assertTrue(seen.contains("\"node_id\":3"), seen);
    Visibility.Views stretch = Visibility.of(row("load", 5L, 3L, null, null, "high", "high", OWNER, null, null));
    assertTrue(stretch.forViewer(OWNER, false) != null);
    assertNull(stretch.forViewer(OTHER, false));
    Visibility.Views unleased = Visibility.of(row("load", null, 3L, null, null, "low", "moderate", null, null, null));
    assertTrue(unleased.forViewer(OTHER, false) != null);
  }

  @Test
  void aKindAddedLaterIsAdminsOnlyUntilSomeoneDecides() {
    Visibility.Views v = Visibility.of(row("audit", null, null, null, null, null, "x", null, null, null));
    assertNull(v.forViewer(OWNER, false));
    assertTrue(v.forViewer(OWNER, true) != null);
  }
}
