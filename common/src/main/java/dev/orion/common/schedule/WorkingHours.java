package dev.orion.common.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The off-hours stopper's kind of schedule: working hours such as {@code "Mon-Fri 08:00-19:00"}
 * (several comma-separated, none across midnight; {@code 24:00} ends a day) and holidays, whole
 * days asleep. Awake inside any range on a day that is not a holiday.
 *
 * <p>The state at an instant is that of the latest change of the wall-clock state, not the wall
 * clock itself, so a repeated hour at fall-back cannot wake a pool a second time.
 */
public final class WorkingHours implements Timetable {
  public static final String EXPECTED =
      "comma-separated \"DAYS HH:MM-HH:MM\" ranges, e.g. \"Mon-Fri 08:00-19:00, Sat 10:00-14:00\"";
  /** What a schedule stores of its working hours. */
  public static final int MAX_LENGTH = 1024;
  /** Beyond this many days without a change the schedule is taken to be constant. */
  private static final int HORIZON_DAYS = 400;
  private static final Pattern RANGE = Pattern.compile(
      "([A-Za-z]{3})(?:-([A-Za-z]{3}))? (\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");
  private static final Map<String, DayOfWeek> DAYS = Map.of(
      "mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY, "wed", DayOfWeek.WEDNESDAY,
      "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
      "sun", DayOfWeek.SUNDAY);

  /** One range; {@code end == null} means the end of the day (24:00). */
  record Range(Set<DayOfWeek> days, LocalTime start, LocalTime end) {
    boolean covers(DayOfWeek day, LocalTime t) {
      return days.contains(day) && !t.isBefore(start) && (end == null || t.isBefore(end));
    }
  }

  private final String uptime;
  private final List<Range> ranges;
  private final Set<LocalDate> holidays;
  private final ZoneId zone;

  private WorkingHours(String uptime, List<Range> ranges, Set<LocalDate> holidays, ZoneId zone) {
    this.uptime = uptime;
    this.ranges = ranges;
    this.holidays = holidays;
    this.zone = zone;
  }

  /**
   * Parses {@code uptime} (cleaned like a cron expression) and ISO {@code holidays}.
   *
   * @throws ScheduleException naming the field, the bad part and the expected form
   */
  public static WorkingHours parse(String uptime, List<String> holidays, ZoneId zone) {
    if (uptime == null || uptime.isBlank()) {
      throw new ScheduleException("uptime: working hours are required (" + EXPECTED + ")");
    }
    String text = CronExpression.clean(uptime).replaceAll(" ?, ?", ", ");
    if (text.length() > MAX_LENGTH) {
      throw new ScheduleException("uptime: at most " + MAX_LENGTH + " characters; expected " + EXPECTED);
    }
    List<Range> ranges = new ArrayList<>();
    for (String part : text.split(", ?", -1)) {
      ranges.add(range(part));
    }
    Set<LocalDate> days = new TreeSet<>();
    for (String h : holidays == null ? List.<String>of() : holidays) {
      try {
        days.add(LocalDate.parse(h == null ? "" : h.strip()));
      } catch (DateTimeParseException e) {
        throw new ScheduleException("holidays: \"" + h + "\" is not an ISO date (YYYY-MM-DD)");
      }
    }
    return new WorkingHours(text, List.copyOf(ranges), Set.copyOf(days), zone);
  }

  private static Range range(String part) {
    Matcher m = RANGE.matcher(part);
    if (!m.matches()) {
      throw new ScheduleException("uptime: \"" + part + "\" is not a range; expected " + EXPECTED);
    }
    DayOfWeek from = day(m.group(1), part);
    DayOfWeek to = m.group(2) == null ? from : day(m.group(2), part);
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (DayOfWeek d = from; ; d = d.plus(1)) { // Fri-Mon wraps over the weekend
      days.add(d);
      if (d == to) {
        break;
      }
    }
    LocalTime start = time(m.group(3), m.group(4), part, false);
    LocalTime end = time(m.group(5), m.group(6), part, true);
    if (end != null && !start.isBefore(end)) {
      throw new ScheduleException("uptime: \"" + part + "\" ends before it starts (a range cannot"
          + " cross midnight: split it into two, e.g. \"Fri 22:00-24:00, Sat 00:00-06:00\")");
    }
    return new Range(days, start, end);
  }

  private static DayOfWeek day(String name, String part) {
    DayOfWeek d = DAYS.get(name.toLowerCase(Locale.ROOT));
    if (d == null) {
      throw new ScheduleException("uptime: \"" + name + "\" in \"" + part
          + "\" is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    }
    return d;
  }

  private static LocalTime time(String hh, String mm, String part, boolean end) {
    int h = Integer.parseInt(hh);
    int m = Integer.parseInt(mm);
    if (end && h == 24 && m == 0) {
      return null;
    }
    if (h > 23 || m > 59) {
      throw new ScheduleException("uptime: " + hh + ":" + mm + " in \"" + part
          + "\" is not a time of day (00:00 to 23:59, or 24:00 as an end)");
    }
    return LocalTime.of(h, m);
  }

  /** The cleaned text, as stored and shown. */
  public String uptime() {
    return uptime;
  }

  public Set<LocalDate> holidays() {
    return holidays;
  }

  @Override
  public ZoneId zone() {
    return zone;
  }

  @Override
  public Action stateAt(Instant now) {
    return previousChange(now).map(Transition::action)
        .orElseGet(() -> wallState(WallClock.wall(now, zone)));
  }

  @Override
  public Optional<Transition> nextChange(Instant after, Action from) {
    LocalDate first = WallClock.wall(after, zone).toLocalDate();
    for (int d = 0; d <= HORIZON_DAYS; d++) {
      for (Transition t : changesOn(first.plusDays(d))) {
        if (t.at().isAfter(after) && t.action() != from) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  private Optional<Transition> previousChange(Instant atOrBefore) {
    LocalDate last = WallClock.wall(atOrBefore, zone)
        .plus(WallClock.lookBehindMargin(atOrBefore, zone)).toLocalDate();
    for (int d = 0; d <= HORIZON_DAYS; d++) {
      List<Transition> day = changesOn(last.minusDays(d));
      for (int i = day.size() - 1; i >= 0; i--) {
        if (!day.get(i).at().isAfter(atOrBefore)) {
          return Optional.of(day.get(i));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The changes of state on one day, in order: wall-clock changes at midnight and at range
   * bounds, resolved to instants. Changes that land on one instant (bounds inside a skipped
   * hour) are one change to the state after the last of them, or none if that is where it began.
   */
  private List<Transition> changesOn(LocalDate date) {
    TreeSet<LocalTime> bounds = new TreeSet<>();
    bounds.add(LocalTime.MIDNIGHT);
    for (Range r : ranges) {
      bounds.add(r.start());
      if (r.end() != null) {
        bounds.add(r.end());
      }
    }
    List<Transition> out = new ArrayList<>(bounds.size());
    Action before = null; // the state before the first change of a run landing on one instant
    for (LocalTime t : bounds) {
      LocalDateTime wall = date.atTime(t);
      Action was = wallState(wall.minusNanos(1));
      Action now = wallState(wall);
      if (was == now) {
        continue;
      }
      Instant at = WallClock.resolve(wall, zone);
      Transition last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.at().equals(at)) {
        out.remove(out.size() - 1);
      } else {
        before = was;
      }
      if (now != before) {
        out.add(Transition.of(now, at, zone));
      }
    }
    return out;
  }

  private Action wallState(LocalDateTime wall) {
    if (holidays.contains(wall.toLocalDate())) {
      return Action.SLEEP;
    }
    for (Range r : ranges) {
      if (r.covers(wall.getDayOfWeek(), wall.toLocalTime())) {
        return Action.WAKE;
      }
    }
    return Action.SLEEP;
  }
}
