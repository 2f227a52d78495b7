package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.job.JobSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerStepsTest {
  static JobSpec spec(String image) {
    return new JobSpec(List.of(new JobSpec.Step("a", List.of("echo", "x y"), null),
        new JobSpec.Step("b", List.of("date"), image)), Map.of("K", "v w"));
  }

  @Test
  void aPlainStepRunsAsItIsAndAnImageStepThroughTheRuntime() {
    assertEquals(List.of(List.of("echo", "x y"), List.of("podman", "run", "--rm", "-e", "K=v w", "alpine", "date")),
        ContainerSteps.argv(spec("alpine"), "podman"));
    assertEquals(List.of(List.of("echo", "x y")),
        ContainerSteps.argv(new JobSpec(List.of(new JobSpec.Step("a", List.of("echo", "x y"), null)), Map.of()), null));
    assertTrue(ContainerSteps.needsRuntime(spec("alpine").toJson()));
    assertFalse(ContainerSteps.needsRuntime(JobSpec.of(List.of("true"), Map.of()).toJson()));
  }

  @Test
  void onlyDockerOrPodmanAndOnlyAnImageReference() {
    for (String runtime : new String[] {null, "", "sh", "rm -rf /", "Docker", "/usr/bin/docker"}) {
      assertThrows(IllegalArgumentException.class, () -> ContainerSteps.argv(spec("alpine"), runtime), runtime);
    }
    for (String image : new String[] {"--privileged", "-v/:/h", "a b", "a;b", "$(x)"}) {
      assertThrows(IllegalArgumentException.class, () -> ContainerSteps.argv(spec(image), "docker"), image);
    }
  }
}
