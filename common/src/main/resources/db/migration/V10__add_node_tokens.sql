-- Why: every worker gets its own secret at its first registration instead of sharing the fleet's
-- one enrollment token for everything. Only the SHA-256 of the node token is kept (it is checked
-- on every heartbeat, so a slow password hash would cost too much; the token is 256 random bits,
-- so a fast hash loses nothing). Nodes registered before this have none until their agent claims
-- one (see NodeService).
ALTER TABLE nodes
  ADD COLUMN token_hash CHAR(64) NULL,
  ADD UNIQUE KEY uq_nodes_token_hash (token_hash);
