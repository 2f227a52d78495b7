package dev.orion.api.pool;

import dev.orion.api.auth.Principal;
import dev.orion.api.pool.PoolViews.Pool;
import dev.orion.common.problem.OrionException;
import dev.orion.common.schedule.Action;
import dev.orion.common.schedule.PoolDesire;
import dev.orion.common.schedule.PoolOverride;
import dev.orion.common.schedule.Timetable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Pools as users see them: node counts by state, the schedule, the state the pool should be in
 * now and its next change (from {@link PoolDesire}, the function the schedulers apply), manual
 * overrides, and the node-hours saved in the last week. Admins also set how a pool sleeps.
 */
public final class PoolService {
  static final Duration SAVINGS_WINDOW = Duration.ofDays(7);

  private final Jdbi jdbi;
  private final Set<String> protectedPools;
  private final String defaultDriver;
  private final Clock clock;

  public PoolService(Jdbi jdbi, Set<String> protectedPools, String defaultDriver, Clock clock) {
    this.jdbi = jdbi;
    this.protectedPools = Set.copyOf(protectedPools);
    this.defaultDriver = defaultDriver;
    this.clock = clock;
  }

  public List<Pool> list(Principal caller) {
    Snapshot s = snapshot();
    return s.names().stream().map(name -> view(caller, name, s)).toList();
  }

  public Pool get(Principal caller, String pool) {
    Snapshot s = snapshot();
    if (!s.names().contains(pool)) {
      throw unknown(pool);
    }
    return view(caller, pool, s);
  }

  /** Replaces a pool's settings (admin); a pool named for the first time comes into being. */
  public Pool put(Principal admin, String pool, PoolRequests.Settings body) {
    PoolName.check("pool", pool);
    PoolSettings s = body.validate(pool, defaultDriver);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    jdbi.useTransaction(h -> {
      PoolDao dao = h.attach(PoolDao.class);
      dao.put(new PoolDao.Settings(pool, s.driver(), s.graceMinutes(), s.userWakeMinutes(),
          String.join(",", s.argocdApplications())), now);
      dao.deleteWebhooks(pool);
      dao.insertWebhooks(pool, s.webhooks().stream().map(PoolRequests.WebhookBody::url).toList(),
          s.webhooks().stream().map(PoolRequests.WebhookBody::secret).toList());
    });
    return get(admin, pool);
  }

  /**
   * A manual wake or sleep for {@code for_minutes}: admins any pool that is not protected, users
   * only a wake, and only of a pool that lets its users wake it, for at most its
   * {@code user_wake_minutes}, and only while no other override is in force (409).
   */
  public Pool override(Principal caller, String pool, Action action, PoolRequests.OverrideBody body) {
    Snapshot s = snapshot();
    if (!s.names().contains(pool)) {
      throw unknown(pool);
    }
    int minutes = body.validate();
    if (protectedPools.contains(pool)) {
      throw OrionException.badRequest("pool '" + pool + "' is protected (ORION_PROTECTED_POOLS): it is"
          + " always awake and never sleeps");
    }
    if (!caller.isAdmin()) {
      int allowed = s.settings(pool).map(PoolDao.Settings::userWakeMinutes).orElse(0);
      if (action != Action.WAKE || allowed == 0) {
        throw OrionException.forbidden("only admins " + (action == Action.WAKE ? "wake" : "put to sleep")
            + " pool '" + pool + "'" + (allowed > 0 ? "; its users may wake it for up to " + allowed + " minutes" : ""));
      }
      if (minutes > allowed) {
        throw OrionException.forbidden("pool '" + pool + "' lets its users wake it for up to " + allowed + " minutes");
      }
      // Users wake a pool the schedule put to sleep; they neither overrule an admin nor stack wakes.
      s.overrides().stream().filter(o -> o.pool().equals(pool)).findFirst().ifPresent(o -> {
        throw OrionException.conflict("pool '" + pool + "' is already " + (o.action().equals("wake") ? "woken"
            : "put to sleep by an admin") + " until " + o.until());
      });
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    jdbi.useExtension(PoolDao.class, dao -> dao.insertOverride(new PoolDao.OverrideRow(0, pool, action.wire(), now,
        now.plus(Duration.ofMinutes(minutes)), caller.actor())));
    return get(caller, pool);
  }

  /**
   * The pools that sleep now and hold workers, each with when it wakes, in one line for a rent's
   * 409: {@code pool 'batch' sleeps until 2027-01-14T07:00:00Z (08:00 Europe/Paris)}. A pool the
   * schedule woke whose workers are still being resumed says so.
   */
  public String describeSleeping() {
    // A burst of refused rents (hundreds at once when a fleet is full) reads the pools once a
    // second, not once per refusal: each read takes a connection the rents are waiting for.
    synchronized (this) {
      Instant now = clock.instant();
      Memo m = sleepingMemo;
      if (m != null && !now.isBefore(m.at()) && now.isBefore(m.at().plus(SLEEPING_MEMO))) {
        return m.text();
      }
      String text = readSleeping();
      sleepingMemo = new Memo(now, text);
      return text;
    }
  }

  private static final Duration SLEEPING_MEMO = Duration.ofSeconds(1);

  private record Memo(Instant at, String text) {}

  private volatile Memo sleepingMemo;

  private String readSleeping() {
    Snapshot s = snapshot();
    List<String> parts = new ArrayList<>();
    for (String pool : s.names()) {
      int workers = s.counts().stream().filter(c -> c.pool().equals(pool)).mapToInt(PoolDao.StateCount::nodes).sum();
      int suspended = s.counts().stream().filter(c -> c.pool().equals(pool) && c.status().equals("suspended"))
          .mapToInt(PoolDao.StateCount::nodes).sum();
      if (workers == 0) {
        continue;
      }
      Desire d = desire(pool, s);
      if (d.desired() == Action.SLEEP) {
        parts.add("pool '" + pool + "' sleeps " + d.next().filter(t -> t.action() == Action.WAKE)
            .map(t -> "until " + t.at() + " (" + t.atLocal().toLocalTime() + " " + t.atLocal().getZone().getId() + ")")
            .orElse("until an admin wakes it (no wake scheduled)"));
      } else if (suspended > 0) {
        parts.add("pool '" + pool + "' is waking: " + suspended + " of its workers are still being resumed");
      }
    }
    return String.join("; ", parts);
  }

  private record Desire(Action desired, Optional<dev.orion.common.schedule.Transition> next) {}

  private Desire desire(String pool, Snapshot s) {
    Optional<Timetable> timetable = Optional.ofNullable(s.schedules().get(pool)).map(ScheduleService::spec)
        .filter(ScheduleSpec::active).flatMap(ScheduleSpec::timetable);
    List<PoolOverride> overrides = s.overrides().stream().filter(o -> o.pool().equals(pool))
        .map(o -> new PoolOverride(Action.valueOf(o.action().toUpperCase(java.util.Locale.ROOT)), o.createdAt(), o.until()))
        .toList();
    boolean isProtected = protectedPools.contains(pool);
    return new Desire(PoolDesire.at(isProtected, timetable, overrides, s.now()),
        PoolDesire.next(isProtected, timetable, overrides, s.now()));
  }

  private Pool view(Principal caller, String pool, Snapshot s) {
    Instant now = s.now();
    Optional<ScheduleDao.Row> row = Optional.ofNullable(s.schedules().get(pool));
    Optional<Timetable> timetable = row.map(ScheduleService::spec).filter(ScheduleSpec::active)
        .flatMap(ScheduleSpec::timetable);
    List<PoolDao.OverrideRow> rows = s.overrides().stream().filter(o -> o.pool().equals(pool)).toList();
    List<PoolOverride> overrides = rows.stream()
        .map(o -> new PoolOverride(Action.valueOf(o.action().toUpperCase(java.util.Locale.ROOT)), o.createdAt(), o.until()))
        .toList();
    boolean isProtected = protectedPools.contains(pool);
    Action desired = PoolDesire.at(isProtected, timetable, overrides, now);
    ScheduleViews.NextTransition next = PoolDesire.next(isProtected, timetable, overrides, now)
        .map(ScheduleViews.NextTransition::of).orElse(null);
    Map<String, Integer> nodes = new TreeMap<>();
    s.counts().stream().filter(c -> c.pool().equals(pool)).forEach(c -> nodes.put(c.status(), c.nodes()));
    double saved = Savings.nodeHours(s.suspensions().stream().filter(x -> x.pool().equals(pool)).toList(),
        now.minus(SAVINGS_WINDOW), now);
    Optional<PoolDao.Settings> settings = s.settings(pool);
    PoolViews.AdminSettings adminView = !caller.isAdmin() ? null : new PoolViews.AdminSettings(
        settings.map(PoolDao.Settings::driver).orElse(defaultDriver),
        settings.map(PoolDao.Settings::graceMinutes).orElse(PoolSettings.DEFAULT_GRACE_MINUTES),
        s.webhooks().stream().filter(w -> w.pool().equals(pool)).map(w -> new PoolViews.Webhook(w.id(), w.url())).toList(),
        settings.map(st -> st.argocdApps().isEmpty() ? List.<String>of() : Arrays.asList(st.argocdApps().split(",")))
            .orElse(List.of()));
    return new Pool(pool, isProtected, desired.wire(), nodes, row.map(ScheduleDao.Row::id).orElse(null), next,
        rows.stream().map(o -> new PoolViews.Override(o.action(), o.createdAt(), o.until(),
            caller.isAdmin() ? o.createdBy() : null)).toList(),
        saved, settings.map(PoolDao.Settings::userWakeMinutes).orElse(0), adminView);
  }

  /** Everything the pool list needs, read in one transaction so the counts agree with each other. */
  private record Snapshot(Instant now, List<PoolDao.StateCount> counts, Map<String, PoolDao.Settings> settingsByName,
      Map<String, ScheduleDao.Row> schedules, List<PoolDao.OverrideRow> overrides, List<PoolDao.Webhook> webhooks,
      List<PoolDao.Suspension> suspensions, TreeSet<String> names) {
    Optional<PoolDao.Settings> settings(String pool) {
      return Optional.ofNullable(settingsByName.get(pool));
    }
  }

  private Snapshot snapshot() {
    Instant now = clock.instant();
    return jdbi.inTransaction(h -> {
      PoolDao dao = h.attach(PoolDao.class);
      List<PoolDao.StateCount> counts = dao.nodeCounts();
      Map<String, PoolDao.Settings> settings = dao.settings().stream()
          .collect(Collectors.toMap(PoolDao.Settings::name, x -> x));
      Map<String, ScheduleDao.Row> schedules = h.attach(ScheduleDao.class).list().stream()
          .collect(Collectors.toMap(ScheduleDao.Row::pool, x -> x));
      TreeSet<String> names = new TreeSet<>(protectedPools);
      counts.forEach(c -> names.add(c.pool()));
      names.addAll(settings.keySet());
      names.addAll(schedules.keySet());
      return new Snapshot(now, counts, settings, schedules, dao.overrides(now), dao.webhooks(),
          dao.suspensionsSince(now.minus(SAVINGS_WINDOW)), names);
    });
  }

  private static OrionException unknown(String pool) {
    return OrionException.notFound("no pool '" + pool + "'");
  }
}
