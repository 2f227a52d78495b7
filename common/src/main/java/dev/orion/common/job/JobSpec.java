package dev.orion.common.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one attempt of a job runs: {@code jobs.spec} (V60), written by the API, read by the
 * schedulers. The stored JSON is exactly
 *
 * <pre>{@code
 * {"steps":[{"name":"main","command":["sh","-c","echo hi"],"image":null}, ...],
 *  "env":{"NAME":"value", ...}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code steps}: at least one, run in order within one attempt; the attempt fails at the
 *       first step that exits non-zero. A plain job ({@code command}) has one step named
 *       {@code main}; a SimpleJob has one step per container, its {@code command} followed by its
 *       {@code args}, named after the container.
 *   <li>{@code command}: an argv, never a shell line: item 0 is the program, the rest its
 *       arguments, passed to it unchanged (quote each item when building a remote command).
 *   <li>{@code image}: null to run the command directly on the worker; otherwise a container image
 *       the step's command runs in. The API accepts an image only for a pool with a node labelled
 *       {@link #CONTAINER_RUNTIME_LABEL} (its value names the runtime, e.g. {@code docker}).
 *   <li>{@code env}: extra environment variables for every step, in the order given.
 * </ul>
 *
 * The API enforces the limits below before anything is stored, so a stored spec is always within
 * them. Readers ignore fields they do not know, so {@link #fromJson} also reads the spec of a cron
 * job ({@link JobTemplate}, a superset). Do not change this shape without changing both sides.
 */
public record JobSpec(List<Step> steps, Map<String, String> env) {
  /** A worker that can run container images advertises it with this label. */
  public static final String CONTAINER_RUNTIME_LABEL = "orion.io/container-runtime";
  /** The one step of a job given as a plain {@code command}. */
  public static final String DEFAULT_STEP = "main";

  public static final int MAX_STEPS = 16;
  public static final int MAX_ARGS = 64;
  public static final int MAX_ARG_BYTES = 4 * 1024;
  public static final int MAX_ENV = 64;
  public static final int MAX_ENV_VALUE_BYTES = 4 * 1024;
  public static final int MAX_IMAGE = 255;

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.ALWAYS)
      .build();

  /** One program of an attempt. */
  public record Step(String name, List<String> command, String image) {
    public Step {
      Objects.requireNonNull(name, "name");
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("a step needs a command");
      }
    }
  }

  public JobSpec {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one step");
    }
    env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  /** A job with one step, {@code main}, run directly on the worker. */
  public static JobSpec of(List<String> command, Map<String, String> env) {
    return new JobSpec(List.of(new Step(DEFAULT_STEP, command, null)), env);
  }

  /** Whether some step runs in a container image. */
  public boolean usesImages() {
    return steps.stream().anyMatch(s -> s.image() != null);
  }

  public String toJson() {
    return write(this);
  }

  /** Reads a stored spec ({@code jobs.spec}, or {@code scheduled_jobs.spec}: extra fields are ignored). */
  public static JobSpec fromJson(String json) {
    return read(json, JobSpec.class);
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a job spec", e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable stored job spec: " + e.getOriginalMessage(), e);
    }
  }
}
