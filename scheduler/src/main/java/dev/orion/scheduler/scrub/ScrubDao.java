package dev.orion.scheduler.scrub;

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

  @SqlQuery("SELECT id, ip, ssh_port, host_key, dirty_epoch FROM nodes WHERE id IN (<ids>)")
  @RegisterConstructorMapper(DirtyNode.class)
  List<DirtyNode> load(@BindList("ids") Collection<Long> ids);
}
