package dev.orion.api.pool;

import dev.orion.api.pool.ScheduleViews.NextTransition;
import dev.orion.api.pool.ScheduleViews.Schedule;
import dev.orion.common.problem.OrionException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Pool schedules: one per pool, admins write, every signed-in user reads. */
public final class ScheduleService {
  /** How many coming transitions an answer shows. */
  static final int SHOWN_TRANSITIONS = 5;

  private final ScheduleDao dao;
  private final Set<String> protectedPools;
  private final Clock clock;

  public ScheduleService(Jdbi jdbi, Set<String> protectedPools, Clock clock) {
    this.dao = jdbi.onDemand(ScheduleDao.class);
    this.protectedPools = Set.copyOf(protectedPools);
    this.clock = clock;
  }

  public Schedule create(ScheduleRequests.Body body) {
    ScheduleSpec spec = body.validate(protectedPools);
    try {
      return get(dao.insert(write(spec)));
    } catch (UnableToExecuteStatementException e) {
      throw conflictOrRethrow(e, spec.pool());
    }
  }

  /**
   * What a schedule would do, without saving it: the same validation as a create (a 400 with the
   * reason otherwise) and the next transitions on the schedule's clock. The console's editor
   * checks each keystroke with it.
   */
  public ScheduleViews.Preview preview(ScheduleRequests.Body body) {
    ScheduleSpec spec = body.validate(protectedPools);
    Instant now = clock.instant();
    List<NextTransition> next = !spec.active() ? List.of() : spec.timetable()
        .map(t -> t.upcoming(now, SHOWN_TRANSITIONS).stream().map(NextTransition::of).toList())
        .orElse(List.of());
    return new ScheduleViews.Preview(spec.pool(), spec.zone().getId(), next);
  }

  public Schedule replace(long id, ScheduleRequests.Body body) {
    ScheduleSpec spec = body.validate(protectedPools);
    try {
      if (dao.update(id, write(spec)) == 0) {
        throw notFound(id);
      }
    } catch (UnableToExecuteStatementException e) {
      throw conflictOrRethrow(e, spec.pool());
    }
    return get(id);
  }

  /** Keeps the schedule (and its pool's claim on one) but makes it NOT_SCHEDULED. */
  public Schedule removeCrons(long id) {
    ScheduleDao.Row row = dao.get(id).orElseThrow(() -> notFound(id));
    dao.update(id, write(spec(row).withoutCrons()));
    return get(id);
  }

  public Schedule removeCrons(String pool) {
    return removeCrons(rowOfPool(pool).id());
  }

  public void delete(long id) {
    if (dao.delete(id) == 0) {
      throw notFound(id);
    }
  }

  public Schedule get(long id) {
    return view(dao.get(id).orElseThrow(() -> notFound(id)));
  }

  public Schedule ofPool(String pool) {
    return view(rowOfPool(pool));
  }

  public List<Schedule> list() {
    return dao.list().stream().map(this::view).toList();
  }

  private ScheduleDao.Row rowOfPool(String pool) {
    return (PoolName.valid(pool) ? dao.byPool(pool) : java.util.Optional.<ScheduleDao.Row>empty())
        .orElseThrow(() -> OrionException.notFound("pool '" + pool + "' has no schedule"));
  }

  private Schedule view(ScheduleDao.Row row) {
    ScheduleSpec spec = spec(row);
    Instant now = clock.instant();
    List<NextTransition> next = !spec.active() ? List.of() : spec.timetable()
        .map(t -> t.upcoming(now, SHOWN_TRANSITIONS).stream().map(NextTransition::of).toList())
        .orElse(List.of());
    return new Schedule(row.id(), row.name(), row.pool(), row.cronStart(), row.cronStop(), row.uptime(),
        spec.holidays().stream().map(LocalDate::toString).toList(), row.timezone(),
        spec.scheduled() ? "SCHEDULED" : "NOT_SCHEDULED", row.active(), row.lastUpdate(), next);
  }

  static ScheduleSpec spec(ScheduleDao.Row row) {
    List<LocalDate> holidays = row.holidays().isEmpty() ? List.of()
        : Arrays.stream(row.holidays().split(",")).map(LocalDate::parse).toList();
    return new ScheduleSpec(row.name(), row.pool(), row.cronStart(), row.cronStop(), row.uptime(),
        holidays, ZoneId.of(row.timezone()), row.active());
  }

  private ScheduleDao.Write write(ScheduleSpec s) {
    return new ScheduleDao.Write(s.name(), s.pool(), s.cronStart(), s.cronStop(), s.uptime(),
        s.holidays().stream().map(LocalDate::toString).collect(Collectors.joining(",")),
        s.zone().getId(), s.active(), clock.instant().truncatedTo(ChronoUnit.MICROS));
  }

  private RuntimeException conflictOrRethrow(UnableToExecuteStatementException e, String pool) {
    if (!(e.getCause() instanceof SQLIntegrityConstraintViolationException)) {
      return e;
    }
    return dao.byPool(pool)
        .<RuntimeException>map(r -> OrionException.conflict("pool '" + pool + "' already has schedule "
            + r.id() + " ('" + r.name() + "'); change it with PUT /api/schedules/" + r.id()))
        .orElse(e);
  }

  private static OrionException notFound(long id) {
    return OrionException.notFound("no schedule with id '" + id + "'");
  }
}
