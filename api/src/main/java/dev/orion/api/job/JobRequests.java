package dev.orion.api.job;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.orion.api.pool.PoolName;
import dev.orion.common.job.CronRuns;
import dev.orion.common.job.JobSpec;
import dev.orion.common.problem.OrionException;
import io.javalin.openapi.OpenApiDescription;
import io.javalin.openapi.OpenApiIgnore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bodies of {@code POST /api/jobs} and {@code POST|PUT /api/scheduled}: Orion's own
 * ({@code command}, {@code pool} or {@code rental_id}) or a SimpleJob as it is ({@code namespace},
 * {@code containers}, {@code maxRetries}). Everything is checked here, before anything is stored;
 * what needs the database (the pool exists, runs images, the lease is the caller's) is the
 * service's.
 */
public final class JobRequests {
  /** DNS-label-like, as Kubernetes names jobs: lowercase letters, digits and '-' inside, at most 63. */
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final int MAX_ENV_NAME = 128;
  /** An image reference: registry/name:tag@digest characters only, no options, no spaces. */
  static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");
  static final int MAX_RETRIES = 100;
  static final int MAX_TIMEOUT_SECONDS = 604_800; // 7 days
  static final int MAX_TTL_SECONDS = 2_592_000; // 30 days
  static final int MAX_STARTING_DEADLINE_SECONDS = 604_800;
  static final int MAX_HISTORY_LIMIT = 100;
  /** What {@code jobs.spec} and {@code scheduled_jobs.spec} (TEXT) hold. */
  static final int MAX_SPEC_BYTES = 65_535;
  static final Set<String> POLICIES = Set.of("Allow", "Forbid", "Replace");

  private JobRequests() {}

  /** A SimpleJob container: its {@code command} then its {@code args} are one step's argv. */
  public record SimpleJobContainer(String name, @OpenApiDescription("only on pools with a node labelled"
      + " orion.io/container-runtime") String image, List<String> command, List<String> args) {}

  /**
   * A run-once job. Give {@code command} (an argv) or SimpleJob {@code containers}, not both; and
   * {@code pool} (SimpleJob: {@code namespace}) or {@code rental_id} (one of the caller's live
   * leases: the job runs there as the lease's client user). {@code maxRetries} is accepted for
   * {@code max_retries}.
   */
  public record JobBody(String name, String pool, String namespace, Long rentalId,
      @OpenApiDescription("argv: the program, then its arguments, no shell") List<String> command,
      Map<String, String> env, List<SimpleJobContainer> containers,
      @JsonAlias("maxRetries") @OpenApiDescription("0-100, default 0; SimpleJob's maxRetries too") Integer maxRetries,
      @OpenApiDescription("1-604800: the job fails (DeadlineExceeded) this long after its first start") Integer timeoutSeconds,
      @OpenApiDescription("0-2592000: a finished job is deleted this long after it finished") Integer ttlSecondsAfterFinished) {

    @OpenApiIgnore
    Valid validate() {
      String target = target(pool, namespace, rentalId != null);
      if (rentalId != null && rentalId <= 0) {
        throw OrionException.badRequest("rental_id must be a positive id");
      }
      return valid(name, target, rentalId, command, env, containers, maxRetries, timeoutSeconds,
          ttlSecondsAfterFinished);
    }
  }

  /**
   * A cron job: a job's fields (on a pool; SimpleJob bodies with {@code cron} too) plus when and how
   * it fires.
   */
  public record ScheduledBody(String name, String pool, String namespace,
      @OpenApiDescription("argv: the program, then its arguments, no shell") List<String> command,
      Map<String, String> env, List<SimpleJobContainer> containers,
      @JsonAlias("maxRetries") @OpenApiDescription("0-100, default 0; SimpleJob's maxRetries too") Integer maxRetries,
      Integer timeoutSeconds, Integer ttlSecondsAfterFinished,
      @OpenApiDescription("5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"") String cron,
      @OpenApiDescription("IANA time zone the cron is read in, default UTC") String timezone,
      @OpenApiDescription("Allow (default), Forbid or Replace") String concurrencyPolicy,
      @OpenApiDescription("1-604800: a fire missed by more than this is skipped") Integer startingDeadlineSeconds,
      Boolean suspend,
      @OpenApiDescription("0-100, default 3") Integer successfulJobsHistoryLimit,
      @OpenApiDescription("0-100, default 1") Integer failedJobsHistoryLimit) {

    @OpenApiIgnore
    ValidScheduled validate() {
      Valid job = valid(name, target(pool, namespace, false), null, command, env, containers, maxRetries, timeoutSeconds,
          ttlSecondsAfterFinished);
      CronRuns runs = CronRuns.parse(cron, timezone);
      String policy = concurrencyPolicy == null ? "Allow" : concurrencyPolicy;
      if (!POLICIES.contains(policy)) {
        throw OrionException.badRequest("concurrency_policy must be Allow, Forbid or Replace");
      }
      return new ValidScheduled(job, runs, policy,
          range("starting_deadline_seconds", startingDeadlineSeconds, 1, MAX_STARTING_DEADLINE_SECONDS, null),
          Boolean.TRUE.equals(suspend),
          range("successful_jobs_history_limit", successfulJobsHistoryLimit, 0, MAX_HISTORY_LIMIT, 3),
          range("failed_jobs_history_limit", failedJobsHistoryLimit, 0, MAX_HISTORY_LIMIT, 1));
    }
  }

  /** A checked job: where it runs (a pool, or else a lease) and what. */
  record Valid(String name, String pool, Long rentalId, JobSpec spec, int maxRetries, Integer timeoutSeconds,
      Integer ttlSecondsAfterFinished) {}

  record ValidScheduled(Valid job, CronRuns runs, String concurrencyPolicy, Integer startingDeadlineSeconds,
      boolean suspend, int successfulJobsHistoryLimit, int failedJobsHistoryLimit) {}

  private static String target(String pool, String namespace, boolean onLease) {
    if (pool != null && namespace != null && !pool.equals(namespace)) {
      throw OrionException.badRequest("pool and namespace name the same thing and differ; give one");
    }
    String p = pool != null ? pool : namespace;
    if (onLease) {
      if (p != null) {
        throw OrionException.badRequest("give pool (namespace) or rental_id, not both");
      }
      return null;
    }
    if (p == null) {
      throw OrionException.badRequest("pool (or SimpleJob namespace) is required, e.g. \"default\"");
    }
    return PoolName.check("pool", p);
  }

  static String name(String field, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw OrionException.badRequest(field + " must be 1-63 lowercase letters, digits or '-', starting and"
          + " ending with a letter or digit");
    }
    return name;
  }

  private static Valid valid(String name, String pool, Long rentalId, List<String> command, Map<String, String> env,
      List<SimpleJobContainer> containers, Integer maxRetries, Integer timeoutSeconds, Integer ttl) {
    name("name", name);
    List<JobSpec.Step> steps = steps(command, containers);
    Map<String, String> environment = env(env);
    JobSpec spec = new JobSpec(steps, environment);
    if (spec.toJson().getBytes(StandardCharsets.UTF_8).length > MAX_SPEC_BYTES) {
      throw OrionException.badRequest("command, containers and env together are too large (at most "
          + MAX_SPEC_BYTES + " bytes stored)");
    }
    return new Valid(name, pool, rentalId, spec, range("max_retries", maxRetries, 0, MAX_RETRIES, 0),
        range("timeout_seconds", timeoutSeconds, 1, MAX_TIMEOUT_SECONDS, null),
        range("ttl_seconds_after_finished", ttl, 0, MAX_TTL_SECONDS, null));
  }

  private static List<JobSpec.Step> steps(List<String> command, List<SimpleJobContainer> containers) {
    if (command != null && containers != null) {
      throw OrionException.badRequest("give command or SimpleJob containers, not both");
    }
    if (command != null) {
      return List.of(new JobSpec.Step(JobSpec.DEFAULT_STEP, argv("command", command), null));
    }
    if (containers == null || containers.isEmpty()) {
      throw OrionException.badRequest("command is required: the program and its arguments, e.g. [\"echo\", \"hi\"]"
          + " (or SimpleJob containers)");
    }
    if (containers.size() > JobSpec.MAX_STEPS) {
      throw OrionException.badRequest("at most " + JobSpec.MAX_STEPS + " containers");
    }
    List<JobSpec.Step> steps = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      SimpleJobContainer c = containers.get(i);
      String at = "containers[" + i + "]";
      if (c == null) {
        throw OrionException.badRequest(at + " must be an object");
      }
      name(at + ".name", c.name());
      if (!names.add(c.name())) {
        throw OrionException.badRequest(at + ".name '" + c.name() + "' is used twice");
      }
      if (c.image() != null && (c.image().length() > JobSpec.MAX_IMAGE || !IMAGE.matcher(c.image()).matches())) {
        throw OrionException.badRequest(at + ".image must be an image reference (e.g. \"busybox:1.36\"), at most "
            + JobSpec.MAX_IMAGE + " characters");
      }
      List<String> argv = new ArrayList<>();
      if (c.command() != null) {
        argv.addAll(nonNull(at + ".command", c.command()));
      }
      if (c.args() != null) {
        argv.addAll(nonNull(at + ".args", c.args()));
      }
      if (argv.isEmpty()) {
        throw OrionException.badRequest(at + " needs a command (and args): Orion runs no image entrypoint");
      }
      steps.add(new JobSpec.Step(c.name(), argv(at + ".command", argv), c.image()));
    }
    return steps;
  }

  private static List<String> nonNull(String field, List<String> items) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null) {
        throw OrionException.badRequest(field + "[" + i + "] must be a string");
      }
    }
    return items;
  }

  private static List<String> argv(String field, List<String> argv) {
    if (argv.isEmpty()) {
      throw OrionException.badRequest(field + " must name a program: a non-empty array of strings");
    }
    if (argv.size() > JobSpec.MAX_ARGS) {
      throw OrionException.badRequest(field + " has " + argv.size() + " items; at most " + JobSpec.MAX_ARGS);
    }
    nonNull(field, argv);
    if (argv.get(0).isEmpty()) {
      throw OrionException.badRequest(field + "[0] must name a program");
    }
    for (int i = 0; i < argv.size(); i++) {
      String why = unclean(argv.get(i), JobSpec.MAX_ARG_BYTES);
      if (why != null) {
        throw OrionException.badRequest(field + "[" + i + "] " + why);
      }
    }
    return List.copyOf(argv);
  }

  private static Map<String, String> env(Map<String, String> env) {
    if (env == null) {
      return Map.of();
    }
    if (env.size() > JobSpec.MAX_ENV) {
      throw OrionException.badRequest("env has " + env.size() + " entries; at most " + JobSpec.MAX_ENV);
    }
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (k.length() > MAX_ENV_NAME || !ENV_NAME.matcher(k).matches()) {
        throw OrionException.badRequest("env name '" + printable(k) + "' must match [A-Za-z_][A-Za-z0-9_]*"
            + " (at most " + MAX_ENV_NAME + " characters)");
      }
      if (v == null) {
        throw OrionException.badRequest("env." + k + " must be a string");
      }
      String why = unclean(v, JobSpec.MAX_ENV_VALUE_BYTES);
      if (why != null) {
        throw OrionException.badRequest("env." + k + " " + why);
      }
      out.put(k, v);
    });
    return out;
  }

  /** Why a string cannot go into an argv or environment (NUL or control characters, too long), or null. */
  static String unclean(String s, int maxBytes) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        return String.format("contains the control character U+%04X", (int) c);
      }
    }
    if (s.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      return "is longer than " + maxBytes + " bytes";
    }
    return null;
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  static Integer range(String field, Integer value, int min, int max, Integer dflt) {
    if (value == null) {
      return dflt;
    }
    if (value < min || value > max) {
      throw OrionException.badRequest(field + " must be between " + min + " and " + max);
    }
    return value;
  }
}
