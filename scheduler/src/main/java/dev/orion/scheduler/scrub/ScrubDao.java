package dev.orion.scheduler.scrub;

import dev.orion.scheduler.migration.Endpoint;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Unclean nodes, as the scrub queue sees them. */
public interface ScrubDao {
  /** See {@code ScrubDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE id IN (<ids>)")
  @RegisterConstructorMapper(Endpoint.class)
  List<Endpoint> load(@BindList("ids") Collection<Long> ids);
}
