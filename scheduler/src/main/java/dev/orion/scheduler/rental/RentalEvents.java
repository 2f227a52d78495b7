package dev.orion.scheduler.rental;

import java.util.List;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Appends lease transitions; always inside the transaction that made the transition. */
public interface RentalEvents {
  String INSERT = "INSERT INTO rental_events"
      + " (rental_id, at, actor, from_status, to_status, from_node_id, to_node_id, reason)"
      + " VALUES (:rentalId, :at, :actor, :fromStatus, :toStatus, :fromNodeId, :toNodeId, :reason)";

  @SqlUpdate(INSERT)
  void append(@BindMethods RentalEvent event);

  @SqlBatch(INSERT)
  void appendAll(@BindMethods List<RentalEvent> events);
}
