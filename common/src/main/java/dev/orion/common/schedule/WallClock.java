package dev.orion.common.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The one rule for turning a wall-clock time of a schedule into an instant, shared by every kind
 * of schedule so they all behave the same around daylight-saving changes:
 *
 * <ul>
 *   <li>a time skipped at spring-forward happens at the first valid instant after it, the end
 *       of the gap (several skipped times therefore land on the same instant and fire once);
 *   <li>a time repeated at fall-back happens once, at its first occurrence.
 * </ul>
 *
 * The mapping never decreases as the wall time grows, which is what lets the searches below
 * walk wall times and compare instants.
 */
final class WallClock {
  private WallClock() {}

  static Instant resolve(LocalDateTime wall, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    ZoneOffsetTransition t = rules.getTransition(wall);
    if (t == null) {
      return wall.atZone(zone).toInstant();
    }
    if (t.isGap()) {
      return t.getInstant();
    }
    return wall.toInstant(t.getOffsetBefore()); // overlap: the earlier offset, the first occurrence
  }

  /**
   * How far past the wall time of {@code now} a backward search must start: inside the second
   * occurrence of a repeated hour, wall times later than now's already happened (first time).
   */
  static java.time.Duration lookBehindMargin(Instant now, ZoneId zone) {
    ZoneOffsetTransition t = zone.getRules().previousTransition(now.plusNanos(1));
    if (t != null && t.isOverlap()) {
      java.time.Duration repeated = t.getDuration().abs();
      if (now.isBefore(t.getInstant().plus(repeated))) {
        return repeated;
      }
    }
    return java.time.Duration.ZERO;
  }

  static LocalDateTime wall(Instant instant, ZoneId zone) {
    return LocalDateTime.ofInstant(instant, zone);
  }
}
