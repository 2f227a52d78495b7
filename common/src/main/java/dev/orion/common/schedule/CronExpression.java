package dev.orion.common.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A 5-field UNIX cron expression (minute hour day-of-month month day-of-week), cleaned and
 * validated by cron-utils, evaluated on the wall clock of a time zone with {@link WallClock}'s
 * daylight-saving rule. Pool schedules and cron jobs share it, so both fire the same way.
 */
public final class CronExpression {
  public static final String EXPECTED =
      "5 fields \"minute hour day-of-month month day-of-week\", e.g. \"0 8 * * 1-5\"";

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** What a schedule or cron job stores of an expression. */
  public static final int MAX_LENGTH = 255;
  /** Bounds every search: the shortest cron period is a minute, and a repeated hour holds 60. */
  private static final int MAX_STEPS = 1_000;

  private final String text;
  private final ExecutionTime execution;

  private CronExpression(String text, ExecutionTime execution) {
    this.text = text;
    this.execution = execution;
  }

  /**
   * Parses {@code raw} (trimmed, inner whitespace collapsed).
   *
   * @param field the request field it came from, named in the error
   * @throws ScheduleException naming the field, the problem and the expected form
   */
  public static CronExpression parse(String field, String raw) {
    if (raw == null || raw.isBlank()) {
      throw new ScheduleException(field + ": a cron expression is required (" + EXPECTED + ")");
    }
    String text = clean(raw);
    if (text.length() > MAX_LENGTH) {
      throw new ScheduleException(field + ": at most " + MAX_LENGTH + " characters; expected " + EXPECTED);
    }
    if (text.split(" ").length != 5) {
      throw new ScheduleException(field + ": \"" + text + "\" has " + text.split(" ").length
          + " fields; expected " + EXPECTED);
    }
    Cron cron;
    try {
      cron = PARSER.parse(text).validate();
    } catch (IllegalArgumentException e) {
      throw new ScheduleException(field + ": \"" + text + "\" is not a valid cron expression ("
          + e.getMessage() + "); expected " + EXPECTED);
    }
    ExecutionTime execution = ExecutionTime.forCron(cron);
    CronExpression expr = new CronExpression(text, execution);
    ZonedDateTime probe = ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    if (execution.nextExecution(probe).filter(z -> z.getYear() < 2100).isEmpty()) {
      throw new ScheduleException(field + ": \"" + text + "\" never fires; expected " + EXPECTED);
    }
    return expr;
  }

  static String clean(String raw) {
    return raw.strip().replaceAll("\\s+", " ");
  }

  /** The cleaned text, as stored and shown. */
  public String text() {
    return text;
  }

  /** The first firing strictly after {@code after}, on {@code zone}'s wall clock. */
  public Optional<Instant> next(Instant after, ZoneId zone) {
    ZonedDateTime cursor = asUtc(WallClock.wall(after, zone));
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<ZonedDateTime> wall = execution.nextExecution(cursor);
      if (wall.isEmpty()) {
        return Optional.empty();
      }
      Instant at = WallClock.resolve(wall.get().toLocalDateTime(), zone);
      if (at.isAfter(after)) {
        return Optional.of(at);
      }
      cursor = wall.get();
    }
    return Optional.empty();
  }

  /** The last firing at or before {@code atOrBefore}, on {@code zone}'s wall clock. */
  public Optional<Instant> previous(Instant atOrBefore, ZoneId zone) {
    LocalDateTime start = WallClock.wall(atOrBefore, zone)
        .plus(WallClock.lookBehindMargin(atOrBefore, zone))
        .plusSeconds(1); // lastExecution is strictly before its argument; a firing at now counts
    ZonedDateTime cursor = asUtc(start);
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<ZonedDateTime> wall = execution.lastExecution(cursor);
      if (wall.isEmpty()) {
        return Optional.empty();
      }
      Instant at = WallClock.resolve(wall.get().toLocalDateTime(), zone);
      if (!at.isAfter(atOrBefore)) {
        return Optional.of(at);
      }
      cursor = wall.get();
    }
    return Optional.empty();
  }

  /** Whether it fires at exactly {@code instant}. */
  public boolean firesAt(Instant instant, ZoneId zone) {
    return previous(instant, zone).filter(instant::equals).isPresent();
  }

  /** The wall clock treated as UTC, where cron-utils has no daylight saving to trip over. */
  private static ZonedDateTime asUtc(LocalDateTime wall) {
    return wall.atZone(ZoneOffset.UTC);
  }

  @Override
  public String toString() {
    return text;
  }
}
