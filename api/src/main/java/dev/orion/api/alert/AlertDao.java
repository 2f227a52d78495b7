package dev.orion.api.alert;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Alert-driven node classes (V30) and the node look-ups the webhook needs. */
public interface AlertDao {
  record NodeRef(long id, String key) {}

  /** Alerts are about the fleet as it is: a forgotten node's row (same hostname, same address) is history. */
  @SqlQuery("SELECT id, hostname AS `key` FROM nodes WHERE live_hostname IN (<hostnames>)")
  @RegisterConstructorMapper(NodeRef.class)
  List<NodeRef> byHostname(@BindList("hostnames") Collection<String> hostnames);

  @SqlQuery("SELECT id, CONCAT(ip, ':', ssh_port) AS `key` FROM nodes"
      + " WHERE CONCAT(ip, ':', ssh_port) IN (<instances>) AND status <> 'forgotten'")
  @RegisterConstructorMapper(NodeRef.class)
  List<NodeRef> byInstance(@BindList("instances") Collection<String> instances);

  /**
   * A fingerprint is a hash of the alert's labels, so node, name, class and labels of a repeat are
   * the same; only a later firing of the same alert moves starts_at forward, never back.
   */
  @SqlBatch("INSERT INTO node_alert_classes (fingerprint, node_id, alertname, load_class, labels,"
      + " group_key, starts_at, updated_at) VALUES (:fingerprint, :nodeId, :alertname, :loadClass,"
      + " :labels, :groupKey, :startsAt, :now)"
      + " ON DUPLICATE KEY UPDATE node_id = VALUES(node_id), alertname = VALUES(alertname),"
      + " load_class = VALUES(load_class), labels = VALUES(labels), group_key = VALUES(group_key),"
      + " starts_at = GREATEST(starts_at, VALUES(starts_at)), updated_at = VALUES(updated_at)")
  void upsert(@BindMethods List<Row> rows, @Bind("groupKey") String groupKey, @Bind("now") Instant now);

  record Row(String fingerprint, long nodeId, String alertname, String loadClass, String labels,
      Instant startsAt) {}

  @SqlBatch("DELETE FROM node_alert_classes WHERE fingerprint = :fingerprint AND starts_at <= :startsAt")
  void resolve(@BindMethods List<AlertPlan.Resolve> resolves);

  /** Classes of the alerts firing about a node now (the node still registered, not forgotten). */
  @SqlQuery("SELECT a.load_class FROM node_alert_classes a JOIN nodes n ON n.id = a.node_id"
      + " WHERE a.node_id = :nodeId AND a.load_class IS NOT NULL AND n.status <> 'forgotten'")
  List<String> firingClasses(@Bind("nodeId") long nodeId);
}
