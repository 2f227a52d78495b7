package dev.orion.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
  static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe"); // +10:30, DST shift of 30 min
  static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata"); // +05:30, no DST

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static List<Instant> firings(CronExpression cron, ZoneId zone, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    for (Instant t = cron.next(from, zone).orElseThrow(); !t.isAfter(to);
        t = cron.next(t, zone).orElseThrow()) {
      out.add(t);
    }
    return out;
  }

  @Test
  void cleansWhitespace() {
    assertEquals("0 8 * * 1-5", CronExpression.parse("cron_start", "  0\t 8  * *   1-5 \n").text());
  }

  @Test
  void refusesBadExpressionsNamingTheFieldAndTheExpectedForm() {
    for (String bad : new String[] {"0 25 * * *", "61 * * * *", "* * * *", "0 0 0 * * *", "x y z w v",
        "0 8 * * 1-9", ""}) {
      ScheduleException e =
          assertThrows(ScheduleException.class, () -> CronExpression.parse("cron_stop", bad), bad);
      assertTrue(e.detail().startsWith("cron_stop: "), e.detail());
      assertTrue(e.detail().contains("minute hour day-of-month month day-of-week"), e.detail());
      assertEquals(400, e.status());
    }
  }

  @Test
  void refusesWhatCannotBeStored() {
    String minutes = String.join(",", java.util.stream.IntStream.range(0, 60).mapToObj(Integer::toString).toList());
    String hours = String.join(",", java.util.stream.IntStream.range(0, 24).mapToObj(Integer::toString).toList());
    ScheduleException e = assertThrows(ScheduleException.class,
        () -> CronExpression.parse("cron_start", minutes + " " + hours + " 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 * *"));
    assertTrue(e.detail().contains("at most 255 characters"), e.detail());
  }

  @Test
  void refusesAnExpressionThatNeverFires() {
    ScheduleException e = assertThrows(ScheduleException.class,
        () -> CronExpression.parse("cron", "0 0 30 2 *"));
    assertTrue(e.detail().contains("never fires"), e.detail());
  }

  @Test
  void firesOnTheWallClockOfItsZone() {
    CronExpression cron = CronExpression.parse("cron", "0 8 * * 1-5");
    // Friday 2027-01-15 09:00 Paris (08:00Z): next is Monday 08:00 CET = 07:00Z
    assertEquals(at("2027-01-18T07:00:00Z"), cron.next(at("2027-01-15T08:00:00Z"), PARIS).orElseThrow());
    assertEquals(at("2027-01-15T07:00:00Z"), cron.previous(at("2027-01-15T08:00:00Z"), PARIS).orElseThrow());
    // a firing exactly at the instant asked about counts as previous, not as next
    assertEquals(at("2027-01-15T07:00:00Z"), cron.previous(at("2027-01-15T07:00:00Z"), PARIS).orElseThrow());
    assertEquals(at("2027-01-18T07:00:00Z"), cron.next(at("2027-01-15T07:00:00Z"), PARIS).orElseThrow());
    assertEquals(at("2027-01-15T02:30:00Z"), cron.previous(at("2027-01-15T05:00:00Z"), KOLKATA).orElseThrow());
  }

  @Test
  void aTimeSkippedAtSpringForwardFiresOnceAtTheEndOfTheGap() {
    // Paris, 2027-03-28: 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 does not exist
    CronExpression daily = CronExpression.parse("cron", "30 2 * * *");
    assertEquals(List.of(at("2027-03-27T01:30:00Z"), at("2027-03-28T01:00:00Z"), at("2027-03-29T00:30:00Z")),
        firings(daily, PARIS, at("2027-03-27T00:00:00Z"), at("2027-03-29T12:00:00Z")));
    // every quarter hour: the four skipped times and 03:00 itself are one firing at 03:00 CEST
    CronExpression quarter = CronExpression.parse("cron", "*/15 * * * *");
    assertEquals(List.of(at("2027-03-28T00:45:00Z"), at("2027-03-28T01:00:00Z"), at("2027-03-28T01:15:00Z")),
        firings(quarter, PARIS, at("2027-03-28T00:30:00Z"), at("2027-03-28T01:15:00Z")));
    assertEquals(at("2027-03-28T01:00:00Z"), daily.previous(at("2027-03-28T05:00:00Z"), PARIS).orElseThrow());
  }

  @Test
  void aRepeatedTimeAtFallBackFiresOnce() {
    // Paris, 2027-10-31: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:30 happens twice
    CronExpression daily = CronExpression.parse("cron", "30 2 * * *");
    assertEquals(List.of(at("2027-10-30T00:30:00Z"), at("2027-10-31T00:30:00Z"), at("2027-11-01T01:30:00Z")),
        firings(daily, PARIS, at("2027-10-29T12:00:00Z"), at("2027-11-01T12:00:00Z")));
    // asked from inside the second occurrence, the first one is the previous firing
    assertEquals(at("2027-10-31T00:30:00Z"), daily.previous(at("2027-10-31T01:45:00Z"), PARIS).orElseThrow());
    assertEquals(at("2027-11-01T01:30:00Z"), daily.next(at("2027-10-31T01:10:00Z"), PARIS).orElseThrow());
    assertFalse(daily.firesAt(at("2027-10-31T01:30:00Z"), PARIS));
  }

  @Test
  void halfHourShiftsInAHalfHourZone() {
    // Lord Howe, 2027-10-03: 02:00 +10:30 jumps to 02:30 +11:00 (15:30Z on the 2nd)
    CronExpression skipped = CronExpression.parse("cron", "15 2 * * *");
    assertEquals(List.of(at("2027-10-01T15:45:00Z"), at("2027-10-02T15:30:00Z"), at("2027-10-03T15:15:00Z")),
        firings(skipped, LORD_HOWE, at("2027-10-01T00:00:00Z"), at("2027-10-04T00:00:00Z")));
    // Lord Howe, 2027-04-04: 02:00 +11:00 goes back to 01:30 +10:30; 01:45 happens twice
    CronExpression repeated = CronExpression.parse("cron", "45 1 * * *");
    assertEquals(List.of(at("2027-04-02T14:45:00Z"), at("2027-04-03T14:45:00Z"), at("2027-04-04T15:15:00Z")),
        firings(repeated, LORD_HOWE, at("2027-04-02T00:00:00Z"), at("2027-04-05T00:00:00Z")));
  }

  @Test
  void zonesAreIanaNames() {
    assertEquals(java.time.ZoneOffset.UTC, Zones.parse("timezone", " "));
    assertEquals(PARIS, Zones.parse("timezone", " Europe/Paris "));
    for (String bad : new String[] {"+02:00", "CET+1", "Europe/Atlantis", "GMT+5"}) {
      ScheduleException e = assertThrows(ScheduleException.class, () -> Zones.parse("timezone", bad), bad);
      assertTrue(e.detail().startsWith("timezone: "), e.detail());
    }
  }
}
