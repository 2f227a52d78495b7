package dev.orion.api.job;

import dev.orion.api.auth.Principal;
import dev.orion.api.http.Message;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobTemplate;
import dev.orion.common.problem.OrionException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Cron jobs: the API writes what and when ({@code scheduled_jobs}, due at once so a scheduler reads
 * it); the schedulers fire them. A cron job belongs to its creator like a job.
 */
public final class ScheduledService {
  private final Jdbi jdbi;
  private final Clock clock;

  public ScheduledService(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  public JobViews.ScheduledJob create(Principal caller, JobRequests.ScheduledBody body) {
    JobRequests.ValidScheduled v = body.validate();
    long id = jdbi.inTransaction(h -> {
      JobDao jobs = h.attach(JobDao.class);
      Targets.checkPool(jobs, v.job().pool(), v.job().spec());
      Instant now = now();
      long created = h.attach(ScheduledDao.class).insert(write(caller.userId(), v, now));
      EventLog.append(h, Event.schedule(created, v.job().pool(), now, caller.actor(), null, state(v.suspend()),
          "created: " + v.runs().cron().text() + " (" + zone(v) + ")"));
      return created;
    });
    return get(caller, id);
  }

  /** Replaces everything but the name (the jobs it created carry it) with the same rules as a create. */
  public JobViews.ScheduledJob replace(Principal caller, long id, JobRequests.ScheduledBody body) {
    Long owner = JobService.owner(caller);
    jdbi.useExtension(ScheduledDao.class, d -> d.findVisible(id, owner).orElseThrow(() -> notFound(id)));
    JobRequests.ValidScheduled v = body.validate();
    jdbi.useTransaction(h -> {
      ScheduledDao dao = h.attach(ScheduledDao.class);
      ScheduledDao.Row row = dao.lockVisible(id, owner).orElseThrow(() -> notFound(id));
      if (!row.name().equals(v.job().name())) {
        throw OrionException.badRequest("name cannot change (its jobs are named after it): it is '" + row.name()
            + "'; create a new cron job for a new name");
      }
      Targets.checkPool(h.attach(JobDao.class), v.job().pool(), v.job().spec());
      Instant now = now();
      dao.update(id, write(row.userId(), v, now));
      EventLog.append(h, Event.schedule(id, v.job().pool(), now, caller.actor(), state(row.suspend()),
          state(v.suspend()), "updated: " + v.runs().cron().text() + " (" + zone(v) + ")"));
    });
    return get(caller, id);
  }

  public List<JobViews.ScheduledJob> list(Principal caller) {
    Instant now = clock.instant();
    return jdbi.withExtension(ScheduledDao.class, d -> d.list(JobService.owner(caller)))
        .stream().map(r -> view(r, now)).toList();
  }

  public JobViews.ScheduledJob get(Principal caller, long id) {
    ScheduledDao.Row row = jdbi.withExtension(ScheduledDao.class, d -> d.findVisible(id, JobService.owner(caller)))
        .orElseThrow(() -> notFound(id));
    return view(row, clock.instant());
  }

  /** The jobs it created that still exist, newest first. */
  public List<JobViews.JobSummary> jobs(Principal caller, long id) {
    return jdbi.inTransaction(h -> {
      h.attach(ScheduledDao.class).findVisible(id, JobService.owner(caller)).orElseThrow(() -> notFound(id));
      return h.attach(JobDao.class).ofScheduled(id, JobService.LIST_LIMIT).stream().map(JobViews.JobSummary::of).toList();
    });
  }

  /**
   * Deletes the cron job as Kubernetes' default (background) cascade does: its finished jobs go
   * with it, its unfinished ones are cancelled (a pending one at once, a running one by its
   * scheduler, which finds {@code cancel_requested}) and stay until they end.
   */
  public Message delete(Principal caller, long id) {
    return jdbi.inTransaction(h -> {
      ScheduledDao dao = h.attach(ScheduledDao.class);
      JobDao jobs = h.attach(JobDao.class);
      ScheduledDao.Row row = dao.lockVisible(id, JobService.owner(caller)).orElseThrow(() -> notFound(id));
      Instant now = now();
      int removed = jobs.deleteFinishedOf(id); // first: the jobs cancelled below stay
      int cancelled = 0;
      int cancelling = 0;
      for (JobDao.JobRow j : jobs.lockUnfinishedOf(id)) {
        JobService.Cancel c = JobService.cancel(h, jobs, j, caller.actor(),
            "cron job " + id + " deleted by " + caller.actor(), now);
        if (c.status() == 200) {
          cancelled++;
        } else {
          cancelling++;
        }
      }
      dao.delete(id);
      String what = "deleted with " + removed + " finished job(s); " + cancelled + " pending job(s) cancelled, "
          + cancelling + " running job(s) being cancelled";
      EventLog.append(h, Event.schedule(id, row.pool(), now, caller.actor(), state(row.suspend()), "deleted", what));
      return new Message("Cron job " + what);
    });
  }

  private JobViews.ScheduledJob view(ScheduledDao.Row r, Instant now) {
    List<CronRuns.Run> next = r.suspend() ? List.of()
        : CronRuns.parse(r.cron(), r.timezone()).after(now, CronRuns.SHOWN);
    return JobViews.ScheduledJob.of(r, next);
  }

  private static ScheduledDao.Write write(long userId, JobRequests.ValidScheduled v, Instant now) {
    JobRequests.Valid j = v.job();
    return new ScheduledDao.Write(userId, j.name(), j.pool(),
        JobTemplate.of(j.spec(), j.maxRetries(), j.timeoutSeconds(), j.ttlSecondsAfterFinished()).toJson(),
        v.runs().cron().text(), zone(v), v.concurrencyPolicy(), v.startingDeadlineSeconds(),
        v.suspend(), v.successfulJobsHistoryLimit(), v.failedJobsHistoryLimit(), now);
  }

  /** The zone as stored: an IANA name, "UTC" when none was given. */
  private static String zone(JobRequests.ValidScheduled v) {
    return v.runs().zone() instanceof java.time.ZoneOffset ? "UTC" : v.runs().zone().getId();
  }

  private static String state(boolean suspend) {
    return suspend ? "suspended" : "active";
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OrionException notFound(long id) {
    return OrionException.notFound("cron job " + id + " does not exist");
  }
}
