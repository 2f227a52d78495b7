package dev.orion.api.rental;

import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What placement reads (without locks) and locks. The load tables are read apart from the locking
 * statements on purpose: a locking read that joined them would lock their rows too, and heartbeats
 * writing a node's load would then wait on rents, and rents skip nodes whose load is being written.
 */
@RegisterConstructorMapper(PlacementDao.CandidateRow.class)
@RegisterConstructorMapper(RentalDao.FreeNode.class)
public interface PlacementDao {
  /** A free node's heartbeat class and CPU (null without heartbeats) and its firing alerts' class. */
  record CandidateRow(long id, String loadClass, Double cpuPercent, String alertClass) {}

  /**
   * Free nodes with their load; {@code busyOnly} leaves out those that are low by their heartbeats
   * (or have none) and have no alert class, which a fleet mostly consists of.
   */
  @SqlQuery("SELECT n.id, l.load_class, l.cpu_percent, a.load_class AS alert_class"
      + " FROM (SELECT id FROM nodes WHERE " + RentalDao.ALLOCATABLE + ") n"
      + " LEFT JOIN node_load l ON l.node_id = n.id"
      + " LEFT JOIN (SELECT node_id,"
      + "   ELT(MAX(FIELD(load_class, 'low', 'moderate', 'high')), 'low', 'moderate', 'high') AS load_class"
      + "   FROM node_alert_classes WHERE load_class IS NOT NULL GROUP BY node_id) a ON a.node_id = n.id"
      + " <filter>")
  List<CandidateRow> candidates(@Define("filter") String filter);

  String BUSY_ONLY = "WHERE a.load_class IS NOT NULL OR l.load_class IN ('moderate', 'high')";

  /** Free nodes among {@code ids}, in id order: the primary key is walked, so no sort locks extra rows. */
  @SqlQuery("SELECT id, hostname, ip, ssh_port, host_key, host_key_fingerprint FROM nodes WHERE "
      + RentalDao.ALLOCATABLE + " AND id IN (<ids>) ORDER BY id LIMIT :count FOR UPDATE SKIP LOCKED")
  List<RentalDao.FreeNode> lockAmong(@BindList("ids") Collection<Long> ids, @Bind("count") int count);

  /** Free nodes but {@code ids}, in id order. */
  @SqlQuery("SELECT id, hostname, ip, ssh_port, host_key, host_key_fingerprint FROM nodes WHERE "
      + RentalDao.ALLOCATABLE + " AND id NOT IN (<ids>) ORDER BY id LIMIT :count FOR UPDATE SKIP LOCKED")
  List<RentalDao.FreeNode> lockAllBut(@BindList("ids") Collection<Long> ids, @Bind("count") int count);
}
