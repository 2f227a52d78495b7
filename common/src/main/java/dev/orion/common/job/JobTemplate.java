package dev.orion.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What each job of a cron job is made from: {@code scheduled_jobs.spec} (V60). The stored JSON is
 * a {@link JobSpec} plus the job's limits:
 *
 * <pre>{@code
 * {"steps":[{"name":"main","command":["date"],"image":null}],"env":{},
 *  "max_retries":0,"timeout_seconds":null,"ttl_seconds_after_finished":null}
 * }</pre>
 *
 * A fire creates a {@code jobs} row with {@code spec = template.spec().toJson()} and these three
 * copied into their columns.
 */
public record JobTemplate(
    List<JobSpec.Step> steps,
    Map<String, String> env,
    @JsonProperty("max_retries") int maxRetries,
    @JsonProperty("timeout_seconds") Integer timeoutSeconds,
    @JsonProperty("ttl_seconds_after_finished") Integer ttlSecondsAfterFinished) {

  public JobTemplate {
    JobSpec checked = new JobSpec(steps, env);
    steps = checked.steps();
    env = checked.env();
  }

  public static JobTemplate of(JobSpec spec, int maxRetries, Integer timeoutSeconds, Integer ttlSecondsAfterFinished) {
    return new JobTemplate(spec.steps(), spec.env(), maxRetries, timeoutSeconds, ttlSecondsAfterFinished);
  }

  /** The spec a job created from this template stores. */
  @JsonIgnore
  public JobSpec spec() {
    return new JobSpec(steps, env);
  }

  public String toJson() {
    return JobSpec.write(this);
  }

  public static JobTemplate fromJson(String json) {
    return JobSpec.read(json, JobTemplate.class);
  }
}
