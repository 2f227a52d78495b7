package dev.orion.scheduler.expiry;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The rentals aggregate as the expiry queue sees it. */
public interface ExpiryDao {
  /** Locks up to {@code limit} due, unclaimed leases; see {@code ExpiryDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT r.id, r.node_id, r.status, r.client_user, r.leased_until,"
      + " n.status AS node_status, n.ip, n.ssh_port, n.host_key"
      + " FROM rentals r JOIN nodes n ON n.id = r.node_id WHERE r.id IN (<ids>)")
  @RegisterConstructorMapper(DueLease.class)
  List<DueLease> load(@BindList("ids") Collection<Long> ids);
}
