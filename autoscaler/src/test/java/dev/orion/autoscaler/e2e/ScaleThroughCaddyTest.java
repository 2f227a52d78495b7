package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.policy.ScalingPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real API as replicas, through the real Caddy over HTTPS trusting its
 * internal CA: CPU-bound load (logins hash passwords with bcrypt) grows the tier from 1 to 3
 * replicas, light load shrinks it back to 1, and no client request fails in either direction
 * (no non-2xx answer, no socket error).
 */
class ScaleThroughCaddyTest {

  @Test
  void scalesUpAndDownUnderLoadWithoutAFailedRequest() throws Exception {
    ScalingPolicy policy = new ScalingPolicy(40, 0.1, 1, 3, Duration.ofSeconds(3), 2, 1);
    try (EdgeStack stack = EdgeStack.api("api-scale", policy).startServing(1)) {
      ApiClient client = stack.client();
      String token = client.token("scaler", "scaler-password-1");

      try (Load load = new Load(stack.caddy.trust(), 4,
          () -> client.login("scaler", "scaler-password-1"), 0, 100_000,
          Duration.ofMinutes(5))) {
        Await.until(Duration.ofSeconds(120), "3 serving replicas under login load",
            () -> stack.autoscaler.serving().size() == 3, stack::state);
        Await.until(Duration.ofSeconds(60), "logins answered by all 3 replicas",
            () -> load.perReplica().size() >= 3, () -> load.perReplica().toString());

        // Light load: authenticated reads keep flowing while the tier shrinks.
        load.retarget(() -> client.request("/api/nodes")
            .header("Authorization", "Bearer " + token).GET(), 50);
        Await.until(Duration.ofSeconds(120), "back to 1 replica under light load",
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
        assertTrue(load.perReplica().size() >= 3, "served by " + load.perReplica());
        assertEquals(List.of(stack.autoscaler.serving().get(0).dial()),
            stack.admin.upstreams(stack.admin.apiHandlerIds().get(0)),
            "Caddy keeps only the last replica");
        System.out.println("scale 1 -> 3 -> 1 with the API: " + load.outcomes().size()
            + " requests, 0 failed; per replica " + load.perReplica());
      }
    }
  }
}
