package dev.orion.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored JSON of jobs.spec and scheduled_jobs.spec is the shape both sides agree on. */
class JobSpecTest {
  @Test
  void writesTheDocumentedShape() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("B", "2");
    env.put("A", "1");
    JobSpec spec = JobSpec.of(List.of("sh", "-c", "echo \"$A\""), env);
    assertEquals("{\"steps\":[{\"name\":\"main\",\"command\":[\"sh\",\"-c\",\"echo \\\"$A\\\"\"],\"image\":null}],"
        + "\"env\":{\"B\":\"2\",\"A\":\"1\"}}", spec.toJson());
    assertEquals(spec, JobSpec.fromJson(spec.toJson()));
    assertFalse(spec.usesImages());
  }

  @Test
  void aTemplateIsASpecWithTheJobsLimits() {
    JobSpec spec = new JobSpec(List.of(new JobSpec.Step("a", List.of("true"), "busybox:1"),
        new JobSpec.Step("b", List.of("false"), null)), Map.of());
    JobTemplate template = JobTemplate.of(spec, 3, 60, null);
    String json = template.toJson();
    assertEquals("{\"steps\":[{\"name\":\"a\",\"command\":[\"true\"],\"image\":\"busybox:1\"},"
        + "{\"name\":\"b\",\"command\":[\"false\"],\"image\":null}],\"env\":{},"
        + "\"max_retries\":3,\"timeout_seconds\":60,\"ttl_seconds_after_finished\":null}", json);
    assertEquals(template, JobTemplate.fromJson(json));
    assertEquals(spec, JobSpec.fromJson(json)); // a job's reader ignores the template's extras
    assertEquals(spec, template.spec());
    assertTrue(spec.usesImages());
  }
}
