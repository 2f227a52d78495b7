package dev.orion.api.job;

import dev.orion.api.auth.Principal;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobStatus;
import dev.orion.common.problem.OrionException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Run-once jobs: create, list, read, cancel, logs. The API only records what is wanted (a pending
 * row, a cancel request); the schedulers claim pending jobs, run their attempts, write attempts and
 * logs and move the job on. Every status change the API makes is a {@code job} event in the same
 * transaction.
 */
public final class JobService {
  /** What a list answers at most, newest first. */
  static final int LIST_LIMIT = 1000;
  /** What the schedulers keep of an attempt's output ({@code job_attempts.log}). */
  public static final long LOG_CAP = 1024 * 1024;
  /** How often a followed log is read again. */
  static final Duration FOLLOW_POLL = Duration.ofMillis(250);
  /** A follow ends after this long however the attempt goes (a job may wait for a sleeping pool). */
  static final Duration FOLLOW_MAX = Duration.ofHours(1);
  /**
   * Followers one replica serves at once: each holds a request thread while it waits, and one that
   * went away is only noticed at its next write, so they are bounded (429 beyond).
   */
  static final int MAX_FOLLOWERS = 64;
  private static final int CHUNK = 256 * 1024;
  private final java.util.concurrent.Semaphore followers = new java.util.concurrent.Semaphore(MAX_FOLLOWERS);

  private final Jdbi jdbi;
  private final Clock clock;

  public JobService(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  public JobViews.JobCreated create(Principal caller, JobRequests.JobBody body) {
    JobRequests.Valid v = body.validate();
    return jdbi.inTransaction(h -> {
      JobDao dao = h.attach(JobDao.class);
      if (v.rentalId() != null) {
        Targets.checkLease(dao, v.rentalId(), caller.userId(), v.spec());
      } else {
        Targets.checkPool(dao, v.pool(), v.spec());
      }
      Instant now = now();
      long id = dao.insert(new JobDao.NewJob(caller.userId(), v.name(), v.pool(), v.rentalId(), v.spec().toJson(),
          v.maxRetries(), v.timeoutSeconds(), v.ttlSecondsAfterFinished(), now));
      EventLog.append(h, Event.job(id, null, v.pool(), now, caller.actor(), null, JobStatus.PENDING,
          "created" + (v.rentalId() != null ? " on lease " + v.rentalId() : "")));
      return new JobViews.JobCreated(id, JobStatus.PENDING.db());
    });
  }

  /** The caller's jobs (an admin's: everyone's), newest first, optionally of one status. */
  public List<JobViews.JobSummary> list(Principal caller, String status) {
    String filter = status == null ? null : status(status);
    return jdbi.withExtension(JobDao.class, d -> d.list(owner(caller), filter, LIST_LIMIT))
        .stream().map(JobViews.JobSummary::of).toList();
  }

  public JobViews.JobDetail get(Principal caller, long id) {
    return jdbi.inTransaction(h -> {
      JobDao dao = h.attach(JobDao.class);
      JobDao.JobRow row = dao.findVisible(id, owner(caller)).orElseThrow(() -> notFound(id));
      return JobViews.JobDetail.of(row, dao.attempts(id), dao.events(id));
    });
  }

  /** How a cancel went: done at once (200), or asked of the scheduler running it (202). */
  public record Cancel(int status, String message) {}

  /**
   * A pending job no scheduler holds is cancelled here and now. One a scheduler holds (running, or
   * being started this instant) gets {@code cancel_requested}: that scheduler kills the process
   * group, cleans the worker and records it cancelled. A finished job is a 409.
   */
  public Cancel cancel(Principal caller, long id) {
    return jdbi.inTransaction(h -> {
      JobDao dao = h.attach(JobDao.class);
      JobDao.JobRow row = dao.lockVisible(id, owner(caller)).orElseThrow(() -> notFound(id));
      return cancel(h, dao, row, caller.actor(), "cancelled by " + caller.actor(), now());
    });
  }

  /** Cancels a locked, visible job row (also for a cron job's deletion). */
  static Cancel cancel(Handle h, JobDao dao, JobDao.JobRow row, String actor, String why, Instant now) {
    JobStatus status = JobStatus.of(row.status());
    if (status.finished()) {
      throw OrionException.conflict("job " + row.id() + " already finished (" + row.status()
          + (row.reason() == null ? "" : ", " + row.reason()) + ")");
    }
    boolean held = row.claimedUntil() != null && row.claimedUntil().isAfter(now);
    if (status == JobStatus.PENDING && !held && dao.cancelPending(row.id(), now) == 1) {
      EventLog.append(h, Event.job(row.id(), row.scheduledId(), row.pool(), now, actor, JobStatus.PENDING,
          JobStatus.CANCELLED, why));
      return new Cancel(200, "Job cancelled");
    }
    dao.requestCancel(row.id(), now);
    return new Cancel(202, "Cancel requested: the scheduler running job " + row.id()
        + " stops it and records it cancelled");
  }

  /** One attempt's log as stored: at most {@link #LOG_CAP} bytes of what it wrote ({@code logBytes}). */
  public record Log(int attempt, byte[] data, long logBytes, boolean ended) {
    public boolean truncated() {
      return logBytes > data.length;
    }
  }

  /** The attempt's log ({@code attempt} null: the latest; a job yet to start has an empty one, attempt 0). */
  public Log log(Principal caller, long id, Integer attempt) {
    return jdbi.inTransaction(h -> {
      JobDao dao = h.attach(JobDao.class);
      dao.findVisible(id, owner(caller)).orElseThrow(() -> notFound(id));
      Optional<Integer> n = attempt != null ? Optional.of(attempt) : dao.latestAttempt(id);
      if (n.isEmpty()) {
        return new Log(0, new byte[0], 0, false);
      }
      JobDao.LogChunk c = dao.log(id, n.get(), 0, (int) LOG_CAP).orElseThrow(() -> noAttempt(id, n.get()));
      return new Log(c.attempt(), c.data(), c.logBytes(), c.endedAt() != null);
    });
  }

  /** The end of a follow: the attempt, the bytes written and what the attempt wrote in all. */
  public record Followed(int attempt, long written, long logBytes) {
    public boolean truncated() {
      return logBytes > written;
    }
  }

  /** Where a followed log goes; an {@link IOException} (the client left) ends the follow. */
  public interface Sink {
    /** Called once, before any bytes: the attempt followed (0: the job ended before one started). */
    void start(int attempt) throws IOException;

    void write(byte[] data) throws IOException;
  }

  /**
   * Streams an attempt's log as the scheduler copies it in: reads the row again every
   * {@link #FOLLOW_POLL} and writes what is new, until the attempt has ended and everything it
   * kept is written. Without {@code attempt} it follows the latest, waiting for the first one of a
   * job yet to start (and ends without output if the job finishes first). Returns how much it
   * wrote of how much the attempt wrote, so the caller can state the cap.
   */
  public Followed follow(Principal caller, long id, Integer attempt, Sink sink) throws IOException {
    if (!followers.tryAcquire()) {
      throw OrionException.tooManyRequests("this replica already streams " + MAX_FOLLOWERS
          + " logs; read the log without follow, or follow again shortly", Duration.ofSeconds(5));
    }
    try {
      return following(caller, id, attempt, sink);
    } finally {
      followers.release();
    }
  }

  private Followed following(Principal caller, long id, Integer attempt, Sink sink) throws IOException {
    Long owner = owner(caller);
    jdbi.useExtension(JobDao.class, d -> d.findVisible(id, owner).orElseThrow(() -> notFound(id)));
    Instant deadline = clock.instant().plus(FOLLOW_MAX);
    Integer n = attempt;
    if (n != null) {
      int wanted = n;
      jdbi.withExtension(JobDao.class, d -> d.log(id, wanted, 0, 0)).orElseThrow(() -> noAttempt(id, wanted));
    }
    while (n == null) {
      Optional<Integer> latest = jdbi.withExtension(JobDao.class, d -> d.latestAttempt(id));
      if (latest.isPresent()) {
        n = latest.get();
      } else if (jdbi.withExtension(JobDao.class, d -> d.status(id)).map(s -> JobStatus.of(s).finished()).orElse(true)
          || !clock.instant().isBefore(deadline)) {
        sink.start(0);
        return new Followed(0, 0, 0);
      } else {
        pause();
      }
    }
    int which = n;
    sink.start(which);
    long offset = 0;
    while (true) {
      long from = offset;
      JobDao.LogChunk c = jdbi.withExtension(JobDao.class, d -> d.log(id, which, from, CHUNK))
          .orElseThrow(() -> noAttempt(id, which));
      if (c.data().length > 0) {
        sink.write(c.data());
        offset += c.data().length;
      }
      boolean drained = offset >= c.storedBytes();
      if (c.endedAt() != null && drained) {
        return new Followed(which, offset, c.logBytes());
      }
      if (!clock.instant().isBefore(deadline)) {
        return new Followed(which, offset, offset);
      }
      if (drained) {
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(FOLLOW_POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OrionException.unavailable("interrupted");
    }
  }

  /** A status filter: one of the job statuses, else 400. */
  static String status(String raw) {
    return Arrays.stream(JobStatus.values()).map(JobStatus::db).filter(s -> s.equals(raw)).findFirst()
        .orElseThrow(() -> OrionException.badRequest("status must be one of "
            + String.join(", ", Arrays.stream(JobStatus.values()).map(JobStatus::db).toList())));
  }

  static Long owner(Principal caller) {
    return caller.isAdmin() ? null : caller.userId();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static OrionException notFound(long id) {
    return OrionException.notFound("job " + id + " does not exist");
  }

  private static OrionException noAttempt(long id, int attempt) {
    return OrionException.notFound("job " + id + " has no attempt " + attempt);
  }

}
