package dev.orion.common.event;

import dev.orion.common.job.JobStatus;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.node.NodeStatus;
import java.time.Instant;

/**
 * One entry of the event log ({@code events}, V4): what changed (kind, the ids it concerns, from/to
 * status, from/to node), who did it, when and why; node and pool events name their pool (V43), job
 * and schedule events their job and cron job (V60).
 */
public record Event(
    Kind kind, Instant at, String actor, Long leaseId, Long nodeId, String fromStatus, String toStatus,
    Long fromNodeId, Long toNodeId, String reason, String pool, Long jobId, Long scheduledId) {

  /** What an event is about (the CHECK constraint of V4, V43, V50 and V60 lists the same). */
  public enum Kind {
    LEASE, NODE, POOL, LOAD, JOB, SCHEDULE;

    public String db() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final int MAX_REASON = 255;

  /** Cuts a text to what a reason (or any VARCHAR(255) beside it) keeps. */
  public static String truncate(String s) {
    return s == null || s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON);
  }

  public Event {
    reason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
  }

  /**
   * A lease transition; only one the lease table allows (see {@link LeaseStatus#requireTransition}).
   *
   * @param fromStatus null when the lease is created
   */
  public static Event lease(long leaseId, Instant at, String actor, String fromStatus, String toStatus,
      Long fromNodeId, Long toNodeId, String reason) {
    LeaseStatus.requireTransition(fromStatus, toStatus);
    return new Event(Kind.LEASE, at, actor, leaseId, null, fromStatus, toStatus, fromNodeId, toNodeId, reason, null,
        null, null);
  }

  /**
   * A node's status change (only one the node table allows), or with {@code from == to} something
   * that happened to the node without changing its status (a failed restore), naming its pool.
   */
  public static Event node(long nodeId, String pool, Instant at, String actor, NodeStatus from, NodeStatus to,
      String reason) {
    NodeStatus.requireTransition(from, to);
    return new Event(Kind.NODE, at, actor, null, nodeId, from.db(), to.db(), null, null, reason, pool, null, null);
  }

  /** A pool's change of applied state ({@code awake}/{@code asleep}), or a step of it (hooks). */
  public static Event pool(String pool, Instant at, String actor, String from, String to, String reason) {
    return new Event(Kind.POOL, at, actor, null, null, from, to, null, null, reason, pool, null, null);
  }

  /**
   * A node transition; only one the node table allows (see {@link NodeStatus#requireTransition}).
   *
   * @param fromStatus null when the node is enrolled
   */
  public static Event node(long nodeId, Instant at, String actor, String fromStatus, String toStatus, String reason) {
    if (fromStatus == null) {
      NodeStatus.of(toStatus); // an enrolment: any known status to start with
    } else {
      NodeStatus.requireTransition(fromStatus, toStatus);
    }
    return new Event(Kind.NODE, at, actor, null, nodeId, fromStatus, toStatus, null, null, reason, null, null, null);
  }

  /**
   * A node's load class change ({@code low}, {@code moderate}, {@code high}; from == to: a long
   * stretch in one class), naming the lease the node holds if any, so its lessee sees it in the
   * lease's history. A kind of its own: node events carry node statuses (V50).
   */
  public static Event load(long nodeId, Long leaseId, Instant at, String actor, String fromClass, String toClass,
      String reason) {
    return new Event(Kind.LOAD, at, actor, leaseId, nodeId, fromClass, toClass, null, nodeId, reason, null, null, null);
  }

  /**
   * A job's status change, only one the job table allows (see {@link JobStatus#requireTransition});
   * {@code from == null}: the job is created. A job of a cron job names it too, so the cron job's
   * history shows its jobs' transitions.
   */
  public static Event job(long jobId, Long scheduledId, String pool, Instant at, String actor, JobStatus from,
      JobStatus to, String reason) {
    JobStatus.requireTransition(from, to);
    return new Event(Kind.JOB, at, actor, null, null, from == null ? null : from.db(), to.db(), null, null, reason,
        pool, jobId, scheduledId);
  }

  /**
   * Something that happened to a job's attempt while the job stays {@code status} (started on a
   * node, adopted by another scheduler), naming the attempt's node and internal lease.
   */
  public static Event attempt(long jobId, Long scheduledId, String pool, Instant at, String actor, JobStatus status,
      long nodeId, Long leaseId, String reason) {
    return new Event(Kind.JOB, at, actor, leaseId, nodeId, status.db(), status.db(), null, nodeId, reason, pool,
        jobId, scheduledId);
  }

  /**
   * Something that happened to a cron job: a fire ({@code to} says how it went: a job created,
   * skipped, missed, ...) or a change of the cron job itself.
   */
  public static Event schedule(long scheduledId, String pool, Instant at, String actor, String from, String to,
      String reason) {
    return new Event(Kind.SCHEDULE, at, actor, null, null, from, to, null, null, reason, pool, null, scheduledId);
  }

  public String kindDb() {
    return kind.db();
  }
}
