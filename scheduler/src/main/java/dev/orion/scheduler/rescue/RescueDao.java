package dev.orion.scheduler.rescue;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Stranded leases, as the rescue queue sees them. */
public interface RescueDao {
  /** See {@code RescueDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("stuckBefore") Instant stuckBefore, @Bind("limit") int limit);

  @SqlQuery("SELECT id, node_id, created_at FROM rentals WHERE id IN (<ids>)")
  @RegisterConstructorMapper(StuckLease.class)
  List<StuckLease> load(@BindList("ids") Collection<Long> ids);
}
