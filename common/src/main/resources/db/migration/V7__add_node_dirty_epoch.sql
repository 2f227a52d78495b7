-- Why: marking a node clean was fenced only by "unallocated and unclean", so a slow cleanup (an
-- expiry's or release's user deletion, a scrub) that finished after the node had been rented and
-- freed dirty again marked it clean with the later tenant's account still on it. Every freeing
-- or dirtying of a node now counts up dirty_epoch (NodeCleanliness.freeDirty/markDirty), and a
-- cleanup marks the node clean only while the epoch is the one it started from.

ALTER TABLE nodes
  ADD COLUMN dirty_epoch BIGINT NOT NULL DEFAULT 0;
