-- Why: lease and node states were free strings; the code now has one transition table per
-- lifecycle (dev.orion.common.lease.LeaseStatus, EndReason, dev.orion.common.node.NodeStatus), and
-- the database refuses any value outside the same sets, whatever writes it. An ended lease always
-- says why, and only an ended one has a reason. LifecycleSchemaTest compares these lists with the
-- enums.

ALTER TABLE rentals
  ADD CONSTRAINT ck_rentals_status CHECK (status IN ('provisioning', 'active', 'migrating', 'ended')),
  ADD CONSTRAINT ck_rentals_end_reason CHECK (end_reason IN ('released', 'expired', 'reset', 'failed')),
  ADD CONSTRAINT ck_rentals_ended_has_reason CHECK ((status = 'ended') = (end_reason IS NOT NULL));

ALTER TABLE rental_events
  ADD CONSTRAINT ck_rental_events_from CHECK (from_status IN ('provisioning', 'active', 'migrating', 'ended')),
  ADD CONSTRAINT ck_rental_events_to CHECK (to_status IN ('provisioning', 'active', 'migrating', 'ended'));

ALTER TABLE nodes
  ADD CONSTRAINT ck_nodes_status CHECK (status IN ('alive', 'suspect', 'dead', 'suspended'));
