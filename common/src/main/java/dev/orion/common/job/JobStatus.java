package dev.orion.common.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A job's lifecycle, with its one transition table ({@code jobs.status}, V60 mirrors the set as a
 * CHECK constraint). A failed attempt with retries left puts a running job back to pending (reason
 * {@code BackOff}); an attempt whose worker was lost does the same without using up a retry.
 */
public enum JobStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  private static final Map<JobStatus, Set<JobStatus>> NEXT = Map.of(
      // An attempt starts; the deadline passes or the job is cancelled before one does.
      PENDING, EnumSet.of(RUNNING, FAILED, CANCELLED),
      // The attempt ends: done, retried later, out of retries or time, cancelled.
      RUNNING, EnumSet.of(SUCCEEDED, PENDING, FAILED, CANCELLED),
      SUCCEEDED, EnumSet.noneOf(JobStatus.class),
      FAILED, EnumSet.noneOf(JobStatus.class),
      CANCELLED, EnumSet.noneOf(JobStatus.class));

  /** The name stored in {@code jobs.status}. */
  public String db() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobStatus of(String db) {
    return valueOf(db.toUpperCase(Locale.ROOT));
  }

  public Set<JobStatus> next() {
    return NEXT.get(this);
  }

  public boolean finished() {
    return next().isEmpty();
  }

  /**
   * Checks a job's change from {@code from} ({@code null}: the job is created) to {@code to}.
   *
   * @throws IllegalStateException when the table does not allow it: a bug, never a user error
   */
  public static void requireTransition(JobStatus from, JobStatus to) {
    boolean ok = from == null ? to == PENDING : from.next().contains(to);
    if (!ok) {
      throw new IllegalStateException("illegal job transition " + (from == null ? "(new)" : from.db())
          + " -> " + to.db());
    }
  }
}
