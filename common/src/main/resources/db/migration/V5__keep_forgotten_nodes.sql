-- Why: forgetting a node (DELETE /api/nodes/{id}) used to delete its row. rentals.node_id has no
-- foreign key, so the ended leases of that node lost their host (the rental query joins nodes)
-- and GET /api/rentals/{id} answered 404. A forgotten node now keeps its row in a terminal
-- 'forgotten' state (NodeStatus): hidden from the node list, never probed, scrubbed or rented, its
-- address and pinned host key kept as the history of the leases it held, and its token hash kept
-- so its agent is told 410 Gone instead of 401.
-- A hostname is unique among the nodes that are not forgotten only: the machine enrolls again as a
-- new node (new id, new token, host key pinned anew) while the forgotten rows stay as they were.
-- Like rentals.live_node_id, a generated column carries the uniqueness, so the database refuses a
-- second live node of one hostname whatever the code does.

ALTER TABLE nodes
  DROP CONSTRAINT ck_nodes_status,
  ADD CONSTRAINT ck_nodes_status CHECK (status IN ('alive', 'suspect', 'dead', 'suspended', 'forgotten'));

ALTER TABLE nodes
  ADD COLUMN live_hostname VARCHAR(253) AS (CASE WHEN status <> 'forgotten' THEN hostname END) PERSISTENT,
  ADD UNIQUE KEY uq_nodes_live_hostname (live_hostname),
  DROP KEY uq_nodes_hostname,
  ADD KEY ix_nodes_hostname (hostname);
