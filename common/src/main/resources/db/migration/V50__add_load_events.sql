-- Why: a node's load class changes (and a leased node staying high for long) go to the one event
-- log, naming the node and its live lease so the lessee sees them in GET /api/rentals/{id}. They
-- get a kind of their own: node events carry node statuses from the node transition table, and a
-- class is not one.
ALTER TABLE events
  DROP CONSTRAINT ck_events_kind,
  ADD CONSTRAINT ck_events_kind CHECK (kind IN ('lease', 'node', 'pool', 'load'));
