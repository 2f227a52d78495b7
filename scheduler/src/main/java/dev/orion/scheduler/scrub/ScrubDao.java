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

  /**
   * Of the given run directories, those whose attempt has not ended (a running attempt's, wherever
   * it runs): the scrub leaves them alone. The others belong to attempts that are over, or to jobs
   * deleted since.
   */
  @SqlQuery("SELECT run_dir FROM job_attempts WHERE ended_at IS NULL AND run_dir IN (<dirs>)")
  List<String> unfinished(@BindList("dirs") Collection<String> dirs);

  @SqlQuery("SELECT id, ip, ssh_port, host_key, dirty_epoch FROM nodes WHERE id IN (<ids>)")
  @RegisterConstructorMapper(DirtyNode.class)
  List<DirtyNode> load(@BindList("ids") Collection<Long> ids);
}
