-- Why: a node registered for the first time, or a forgotten machine that enrolls again as a new
-- node, may hold client users nobody accounts for (from an earlier life, a reinstall that kept
-- /home, a previous Orion). It must be scrubbed before anyone can rent it, so a node starts
-- unclean: registration writes clean = FALSE, and this default keeps any other writer honest.
ALTER TABLE nodes ALTER COLUMN clean SET DEFAULT FALSE;
