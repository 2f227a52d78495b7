-- The job of one fire. uq_jobs_fire (scheduled_id, scheduled_for) makes a second insert for the
-- same fire fail, whichever scheduler tries: the caller reads that duplicate as "already made".
-- No INSERT IGNORE: it would also turn a real error into a warning and a lost fire.
INSERT INTO jobs (user_id, name, pool, scheduled_id, scheduled_for, spec, max_retries, timeout_seconds,
                  ttl_seconds_after_finished, status, created_at, due_at)
VALUES (:userId, :name, :pool, :scheduledId, :scheduledFor, :spec, :maxRetries, :timeoutSeconds,
        :ttlSecondsAfterFinished, 'pending', :now, :now)
