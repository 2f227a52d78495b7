-- Why: the node list shows a node held by a job as allocated to that job (lease kind 'job', its job
-- id, visible to the job's owner), which it finds from the node's live internal lease through the
-- attempt that holds it (job_attempts.lease_id). Without an index each listed node would scan
-- every attempt ever made.
ALTER TABLE job_attempts
  ADD KEY ix_job_attempts_lease (lease_id);
