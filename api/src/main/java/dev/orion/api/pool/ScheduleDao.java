package dev.orion.api.pool;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Pool schedules, one per pool. */
@RegisterConstructorMapper(ScheduleDao.Row.class)
public interface ScheduleDao {
  /** {@code holidays} is comma-separated ISO dates, empty for none. */
  record Row(long id, String name, String pool, String cronStart, String cronStop, String uptime,
      String holidays, String timezone, boolean active, Instant lastUpdate) {}

  record Write(String name, String pool, String cronStart, String cronStop, String uptime,
      String holidays, String timezone, boolean active, Instant now) {}

  String COLUMNS = "id, name, pool, cron_start, cron_stop, uptime, holidays, timezone, active, last_update";

  @SqlUpdate("INSERT INTO pool_schedules (name, pool, cron_start, cron_stop, uptime, holidays, timezone,"
      + " active, created_at, last_update) VALUES (:name, :pool, :cronStart, :cronStop, :uptime, :holidays,"
      + " :timezone, :active, :now, :now)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods Write w);

  @SqlUpdate("UPDATE pool_schedules SET name = :w.name, pool = :w.pool, cron_start = :w.cronStart,"
      + " cron_stop = :w.cronStop, uptime = :w.uptime, holidays = :w.holidays, timezone = :w.timezone,"
      + " active = :w.active, last_update = :w.now WHERE id = :id")
  int update(@Bind("id") long id, @BindMethods("w") Write w);

  @SqlUpdate("DELETE FROM pool_schedules WHERE id = :id")
  int delete(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM pool_schedules WHERE id = :id")
  Optional<Row> get(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM pool_schedules WHERE pool = :pool")
  Optional<Row> byPool(@Bind("pool") String pool);

  @SqlQuery("SELECT " + COLUMNS + " FROM pool_schedules ORDER BY id")
  List<Row> list();
}
