package dev.orion.common.schedule;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Time zones of schedules: IANA names only, so daylight saving follows the region's rules. */
public final class Zones {
  private Zones() {}

  /** {@code raw} as an IANA zone; blank means UTC. */
  public static ZoneId parse(String field, String raw) {
    if (raw == null || raw.isBlank()) {
      return ZoneOffset.UTC;
    }
    String name = raw.strip();
    if (!ZoneId.getAvailableZoneIds().contains(name) && !"UTC".equals(name)) {
      throw new ScheduleException(field + ": \"" + name
          + "\" is not an IANA time zone (e.g. \"Europe/Paris\", \"Asia/Kolkata\", \"UTC\")");
    }
    try {
      return ZoneId.of(name);
    } catch (DateTimeException e) {
      throw new ScheduleException(field + ": \"" + name + "\" is not an IANA time zone");
    }
  }
}
