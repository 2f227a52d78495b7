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
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Unclean nodes, as the scrub loop sees them. */
public interface ScrubDao {
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlUpdate("UPDATE nodes SET claimed_by = :me, claimed_until = :until WHERE id IN (<ids>)")
  void claim(@BindList("ids") Collection<Long> ids, @Bind("me") String me, @Bind("until") Instant until);

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE id IN (<ids>)")
  @RegisterConstructorMapper(Endpoint.class)
  List<Endpoint> load(@BindList("ids") Collection<Long> ids);

  /** Rentable again, if the claim is still ours and nothing allocated the node meanwhile. */
  @SqlUpdate("UPDATE nodes SET clean = 1, claimed_until = NULL WHERE id = :id AND claimed_by = :me"
      + " AND claimed_until > :now AND allocated = 0")
  int markClean(@Bind("id") long nodeId, @Bind("me") String me, @Bind("now") Instant now);

  @SqlUpdate("UPDATE nodes SET claimed_until = NULL WHERE id = :id AND claimed_by = :me")
  int unclaim(@Bind("id") long nodeId, @Bind("me") String me);
}
