package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobStatus;
import dev.orion.common.job.JobTemplate;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.job.CronJobPlan.ConcurrencyPolicy;
import dev.orion.scheduler.job.CronJobPlan.Fire;
import dev.orion.scheduler.job.CronJobPlan.Plan;
import dev.orion.scheduler.job.CronJobPlan.Result;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires cron jobs: claimed work on the claim queue, one row per cron job ({@code scheduled_jobs},
 * due at {@code next_check_at}). A round claims the due cron jobs with the jobs they still have,
 * asks {@link CronJobPlan#plan} what each look means (the latest fire time not yet dealt with,
 * never the runs an outage skipped; created, skipped, missed or suspended; Replace's cancels; the
 * finished jobs beyond the history limits; the next look) and writes all of it in one transaction
 * fenced by the claims: the jobs created ({@code pending}, due at once, for the job queue), their
 * {@code job} events and the cron jobs' {@code schedule} events, the cancel requests, the
 * deletions, each cron job's last fire and next look.
 *
 * <p>Exactly once: a fire's job is inserted only by a scheduler that holds the cron job's claim at
 * commit, and {@code uq_jobs_fire (scheduled_id, scheduled_for)} refuses a second job for the same
 * fire whatever happens (clocks apart, a scheduler paused past its claim): a duplicate means the
 * job exists, and is not an error. Fire times come from {@link CronRuns}, the zone-aware rule every
 * schedule shares, so a fall-back hour fires once and a skipped time at the first valid instant.
 */
public final class CronQueue {
  private static final Logger log = LoggerFactory.getLogger(CronQueue.class);
  private static final int MAX_CACHED = 20_000;
  /** MariaDB's ER_DUP_ENTRY. */
  private static final int DUPLICATE_KEY = 1062;

  /** A claimed cron job and the jobs it still has. */
  public record Look(CronDao.ScheduleRow schedule, List<CronDao.JobRow> jobs) {
    long id() {
      return schedule.id();
    }
  }

  /** What a committed round did: the fires for the metrics, the transitions to log. */
  private record Outcome(List<Result> results, List<String> lines) {
    static final Outcome NONE = new Outcome(List.of(), List.of());
  }

  /** One cron job's plan for this round, with the job its fire creates (if it creates one). */
  private record Step(Claim<Look> claim, Plan plan, Optional<CronDao.NewJob> job, String zone) {}

  private final Claimant claimant;
  private final CronConfig config;
  private final CronMetrics metrics;
  private final ClaimQueue<Look> queue;
  /** Parsed expressions by their stored text and zone: parsing costs more than evaluating. */
  private final Map<String, CronRuns> parsed = new ConcurrentHashMap<>();

  public CronQueue(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, CronConfig config, CronMetrics metrics) {
    this.claimant = claimant;
    this.config = config;
    this.metrics = metrics;
    this.queue = new ClaimQueue<>("cron", ClaimTable.SCHEDULED_JOBS, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(CronDao.class).lockDue(now, limit), CronQueue::load, Look::id));
  }

  private static List<Look> load(Handle h, List<Long> ids) {
    CronDao dao = h.attach(CronDao.class);
    Map<Long, List<CronDao.JobRow>> jobs = dao.jobs(ids).stream()
        .collect(Collectors.groupingBy(CronDao.JobRow::scheduledId));
    return dao.schedules(ids).stream().map(s -> new Look(s, jobs.getOrDefault(s.id(), List.of()))).toList();
  }

  /** One round; returns how many cron jobs it claimed. */
  public int tick() {
    return queue.claim(config.batch(), claims -> {
      if (claims.isEmpty()) {
        return 0;
      }
      Instant now = claimant.now();
      long planned = System.nanoTime();
      Map<CronRuns, CronJobPlan.Fires> fires = new java.util.HashMap<>();
      List<Step> steps = claims.stream().map(c -> step(c, now, fires)).toList();
      long written = System.nanoTime();
      complete(steps, now);
      log.debug("cron: {} cron jobs claimed, planned in {} ms, written in {} ms", claims.size(),
          (written - planned) / 1_000_000, (System.nanoTime() - written) / 1_000_000);
      return claims.size();
    });
  }

  private Step step(Claim<Look> c, Instant now, Map<CronRuns, CronJobPlan.Fires> fires) {
    CronDao.ScheduleRow s = c.item().schedule();
    try {
      CronRuns runs = runs(s.cron(), s.timezone());
      ConcurrencyPolicy policy = ConcurrencyPolicy.parse(s.concurrencyPolicy()).orElseThrow(
          () -> new IllegalStateException("unknown concurrency policy " + s.concurrencyPolicy()));
      List<CronJobPlan.JobState> jobs = c.item().jobs().stream().map(j -> new CronJobPlan.JobState(j.id(),
          JobStatus.of(j.status()), j.finishedAt(), j.cancelRequested())).toList();
      Plan plan = CronJobPlan.plan(new CronJobPlan.Schedule(runs, policy,
          Optional.ofNullable(s.startingDeadlineSeconds()).map(Duration::ofSeconds), s.suspend(),
          s.successfulJobsHistoryLimit(), s.failedJobsHistoryLimit(), s.createdAt(),
          Optional.ofNullable(s.lastFireAt())), fires.computeIfAbsent(runs, r -> CronJobPlan.Fires.of(r, now)), jobs,
          now, config.recheck());
      Optional<CronDao.NewJob> job = plan.fire().filter(f -> f.result() == Result.CREATED).map(f -> {
        JobTemplate t = JobTemplate.fromJson(s.spec());
        return new CronDao.NewJob(s.userId(), CronJobPlan.jobName(s.name(), f.scheduledFor()), s.pool(), s.id(),
            f.scheduledFor(), t.spec().toJson(), t.maxRetries(), t.timeoutSeconds(), t.ttlSecondsAfterFinished());
      });
      return new Step(c, plan, job, runs.zone().getId());
    } catch (RuntimeException e) {
      // Stored by the API after validation, so this is a bug or a hand edit: keep looking, slowly.
      log.warn("cron job {} ({}): cannot be read, looked at again in {}: {}", s.id(), s.name(), config.recheck(),
          e.toString());
      return new Step(c, new Plan(Optional.empty(), List.of(), List.of(), now.plus(config.recheck())),
          Optional.empty(), s.timezone());
    }
  }

  private CronRuns runs(String cron, String timezone) {
    if (parsed.size() > MAX_CACHED) {
      parsed.clear();
    }
    return parsed.computeIfAbsent(timezone + " " + cron, k -> CronRuns.parse(cron, timezone));
  }

  /** Writes the batch in one transaction; if that fails, each cron job on its own, so one cannot block the rest. */
  private void complete(List<Step> steps, Instant now) {
    List<Claim<Look>> claims = steps.stream().map(Step::claim).toList();
    try {
      done(queue.complete(claims, (h, held) -> write(h, held, steps, now)));
      return;
    } catch (RuntimeException batchFailure) {
      log.warn("writing {} cron jobs in one transaction failed, retrying one by one: {}", steps.size(),
          batchFailure.toString());
    }
    for (Step step : steps) {
      try {
        done(queue.complete(List.of(step.claim()), (h, held) -> write(h, held, List.of(step), now)));
      } catch (RuntimeException e) {
        log.error("cron job {} ({}): fire {} failed; looked at again once the claim lapses", step.claim().id(),
            step.claim().item().schedule().name(), step.plan().fire().map(Fire::scheduledFor).orElse(null), e);
      }
    }
  }

  /** After the commit: only what was written is counted and logged. */
  private void done(Outcome outcome) {
    outcome.results().forEach(metrics::fired);
    outcome.lines().forEach(log::info);
  }

  /** The held cron jobs' looks, in the fenced transaction. */
  private Outcome write(Handle h, List<Claim<Look>> held, List<Step> steps, Instant now) {
    if (held.isEmpty()) {
      return Outcome.NONE;
    }
    java.util.Set<Long> ids = held.stream().map(Claim::id).collect(Collectors.toSet());
    List<Step> mine = steps.stream().filter(st -> ids.contains(st.claim().id())).toList();
    CronDao dao = h.attach(CronDao.class);
    Map<Long, String> replaced = new java.util.HashMap<>();
    for (Step step : mine) {
      if (!step.plan().cancel().isEmpty()) {
        int asked = dao.requestCancel(step.plan().cancel(), now);
        replaced.put(step.claim().id(), "; Replace: cancel requested for " + asked + " of jobs " + step.plan().cancel());
      }
    }
    // A job the claim's load already saw for this fire was made by another scheduler: not made again.
    List<CronDao.NewJob> toMake = mine.stream().filter(st -> st.job().isPresent() && !made(st)).map(st -> st.job().get())
        .toList();
    Map<Long, Long> jobIds = insert(h, dao, toMake, now);
    List<Event> events = new ArrayList<>();
    List<CronDao.Looked> looked = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    String actor = claimant.actor();
    for (Step step : mine) {
      CronDao.ScheduleRow s = step.claim().item().schedule();
      Plan plan = step.plan();
      Instant fireAt = null;
      Instant scheduled = null;
      if (plan.fire().isPresent()) {
        Fire f = plan.fire().get();
        fireAt = f.scheduledFor();
        String when = "fire of " + f.scheduledFor().atZone(java.time.ZoneId.of(step.zone())).toOffsetDateTime()
            + " (" + step.zone() + ")";
        if (f.result() == Result.CREATED) {
          scheduled = f.scheduledFor();
          Long jobId = jobIds.get(s.id());
          String why = replaced.getOrDefault(s.id(), "");
          if (jobId != null) {
            String name = step.job().orElseThrow().name();
            events.add(Event.job(jobId, s.id(), s.pool(), now, actor, null, JobStatus.PENDING,
                "created by cron job " + s.name() + " for its " + when));
            events.add(Event.schedule(s.id(), s.pool(), now, actor, null, f.result().label(),
                when + ": job " + jobId + " " + name + why));
            results.add(f.result());
            lines.add("cron job " + s.id() + " (" + s.name() + ") " + when + ": job " + jobId + " " + name + " pending"
                + why);
          } else {
            lines.add("cron job " + s.id() + " (" + s.name() + ") " + when
                + ": its job exists already (made by another scheduler)");
          }
        } else {
          String why = switch (f.result()) {
            case SKIPPED_FORBID -> "skipped: concurrency policy Forbid and a job still pending or running";
            case MISSED_DEADLINE -> "missed: looked at " + Duration.between(f.scheduledFor(), now).toSeconds()
                + " s after it, more than starting_deadline_seconds " + s.startingDeadlineSeconds();
            case SUSPENDED -> "passed while the cron job is suspended";
            default -> throw new IllegalStateException(f.result().name());
          };
          events.add(Event.schedule(s.id(), s.pool(), now, actor, null, f.result().label(), when + " " + why));
          results.add(f.result());
          lines.add("cron job " + s.id() + " (" + s.name() + ") " + when + " " + why);
        }
      }
      if (!plan.prune().isEmpty()) {
        int deleted = dao.deleteFinished(plan.prune(), now);
        lines.add("cron job " + s.id() + " (" + s.name() + "): " + deleted + " finished jobs beyond its history limits ("
            + s.successfulJobsHistoryLimit() + " succeeded, " + s.failedJobsHistoryLimit() + " failed) deleted: "
            + plan.prune());
      }
      looked.add(new CronDao.Looked(s.id(), fireAt, scheduled, plan.nextCheck()));
    }
    dao.looked(looked);
    EventLog.append(h, events);
    return new Outcome(results, lines);
  }

  private static boolean made(Step step) {
    Instant at = step.job().orElseThrow().scheduledFor();
    return step.claim().item().jobs().stream().anyMatch(j -> at.equals(j.scheduledFor()));
  }

  /**
   * Inserts the round's jobs, in one batch when it can: under the claims no other scheduler makes
   * these fires' jobs, so the batch is the rule. Should one exist all the same (uq_jobs_fire), the
   * batch is undone to its savepoint and the jobs are made one by one, the duplicate left out.
   * Returns the ids of the jobs this call made, by cron job.
   */
  private static Map<Long, Long> insert(Handle h, CronDao dao, List<CronDao.NewJob> jobs, Instant now) {
    Map<Long, Long> made = new java.util.HashMap<>();
    if (jobs.isEmpty()) {
      return made;
    }
    if (jobs.size() > 1) {
      h.savepoint("fires");
      try {
        dao.insertJobs(jobs, now);
        Instant since = jobs.stream().map(CronDao.NewJob::scheduledFor).min(Instant::compareTo).orElseThrow();
        Map<Long, Instant> wanted = jobs.stream()
            .collect(Collectors.toMap(CronDao.NewJob::scheduledId, CronDao.NewJob::scheduledFor));
        for (CronDao.JobRow j : dao.fired(wanted.keySet(), since)) {
          if (j.scheduledFor().equals(wanted.get(j.scheduledId()))) {
            made.put(j.scheduledId(), j.id());
          }
        }
        h.releaseSavepoint("fires");
        return made;
      } catch (RuntimeException e) {
        if (!duplicate(e)) {
          throw e;
        }
        h.rollbackToSavepoint("fires");
        made.clear();
      }
    }
    for (CronDao.NewJob job : jobs) {
      insert(dao, job, now).ifPresent(id -> made.put(job.scheduledId(), id));
    }
    return made;
  }

  private static boolean duplicate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getErrorCode() == DUPLICATE_KEY) {
        return true;
      }
    }
    return false;
  }

  /** Inserts a fire's job; empty when the fire's job exists already (uq_jobs_fire). */
  private static Optional<Long> insert(CronDao dao, CronDao.NewJob job, Instant now) {
    try {
      return Optional.of(dao.insertJob(job, now));
    } catch (UnableToExecuteStatementException e) {
      if (duplicate(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
