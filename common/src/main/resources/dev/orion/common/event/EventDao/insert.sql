-- Appends without an id: the id is given when the event is published (see publish in EventLog).
-- One multi-row statement for a whole batch of transitions (<events> expands to one row per
-- event, in list order, so their seq follow that order): a JDBC batch would cost one round trip
-- per event.
INSERT INTO events (kind, at, actor, lease_id, node_id, from_status, to_status, from_node_id, to_node_id, reason, pool,
                    job_id, scheduled_id)
VALUES <events>
