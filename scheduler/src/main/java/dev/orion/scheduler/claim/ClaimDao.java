package dev.orion.scheduler.claim;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The claim record on any claimable table; each statement's why is in its {@code ClaimDao/*.sql}. */
@UseClasspathSqlLocator
public interface ClaimDao {
  @SqlUpdate
  void claim(@Define("table") String table, @BindList("ids") Collection<Long> ids, @Bind("me") String me,
      @Bind("until") Instant until);

  @SqlQuery
  List<Long> lockHeld(@Define("table") String table, @BindList("ids") Collection<Long> ids, @Bind("me") String me,
      @Bind("now") Instant now);

  @SqlUpdate
  int renew(@Define("table") String table, @BindList("ids") Collection<Long> ids, @Bind("me") String me,
      @Bind("now") Instant now, @Bind("until") Instant until);

  @SqlQuery
  List<Long> heldUntil(@Define("table") String table, @BindList("ids") Collection<Long> ids, @Bind("me") String me,
      @Bind("until") Instant until);

  @SqlUpdate
  int release(@Define("table") String table, @BindList("ids") Collection<Long> ids, @Bind("me") String me);
}
