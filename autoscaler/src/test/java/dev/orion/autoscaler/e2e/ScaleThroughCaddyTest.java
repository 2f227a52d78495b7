package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.policy.ScalingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * End to end through the real Caddy over HTTPS (trusting its internal CA): the tier grows from 1
 * to 3 replicas under CPU load and shrinks back to 1 under light load, and no client request
 * fails in either direction.
 */
class ScaleThroughCaddyTest {

  @Test
  void scalesUpAndDownUnderLoadWithoutAFailedRequest() throws Exception {
    ScalingPolicy policy = new ScalingPolicy(40, 0.1, 1, 3, Duration.ofSeconds(3), 2, 1);
    try (EdgeStack stack = EdgeStack.standIn("scale", policy)) {
      stack.autoscaler.start();
      Await.until(Duration.ofSeconds(60), "the first replica to serve",
          () -> stack.autoscaler.serving().size() == 1, stack::state);

      try (Load load = Load.gets(stack.caddy.trust(), 3,
          () -> stack.caddy.https("/api/burn?ms=40"), 0, 200_000, Duration.ofMinutes(4))) {
        Await.until(Duration.ofSeconds(90), "3 serving replicas under heavy load",
            () -> stack.autoscaler.serving().size() == 3, stack::state);
        for (String id : stack.admin.apiHandlerIds()) {
          assertEquals(3, stack.admin.upstreams(id).size(), "caddy " + id + " has all 3");
        }
        Await.until(Duration.ofSeconds(30), "requests answered by all 3 replicas",
            () -> load.perReplica().size() >= 3, () -> load.perReplica().toString());

        // Light load: requests keep flowing while the tier shrinks.
        load.retarget(() -> java.net.http.HttpRequest.newBuilder(
            stack.caddy.https("/api/burn?ms=1")), 20);
        Await.until(Duration.ofSeconds(90), "back to 1 replica under light load",
            () -> stack.autoscaler.active().size() == 1
                && stack.autoscaler.serving().size() == 1
                && stack.driver.list().size() == 1, stack::state);
        int before = load.outcomes().size();
        Await.until(Duration.ofSeconds(30), "requests after the scale-down",
            () -> load.outcomes().size() > before + 50, () -> "" + load.outcomes().size());
        load.close();

        List<Load.Outcome> failures = load.failures();
        assertTrue(failures.isEmpty(), failures.size() + " of " + load.outcomes().size()
            + " requests failed, first: " + failures.stream().limit(5).toList());
        Set<String> replicas = new TreeSet<>(load.perReplica().keySet());
        assertTrue(replicas.size() >= 3, "served by " + load.perReplica());
        for (String id : stack.admin.apiHandlerIds()) {
          assertEquals(List.of(stack.autoscaler.serving().get(0).dial()),
              stack.admin.upstreams(id), "caddy " + id + " keeps only the last replica");
        }
      }
    }
  }
}
