package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.Replica;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of one of two real API replicas while clients read through Caddy over HTTPS:
 * only requests already in flight when it died may fail; every request sent after its death is
 * answered, and the autoscaler replaces the lost replica.
 */
class KillReplicaUnderLoadTest {

  @Test
  void onlyRequestsInFlightOnAKilledReplicaMayFail() throws Exception {
    ScalingPolicy fixedAtTwo = new ScalingPolicy(1000, 0.1, 2, 2, Duration.ofSeconds(3), 2, 1);
    try (EdgeStack stack = EdgeStack.api("api-kill", fixedAtTwo).startServing(2)) {
      ApiClient client = stack.client();
      String token = client.token("reader", "reader-password-1");

      try (Load load = new Load(stack.caddy.trust(), 4, () -> client.request("/api/nodes")
          .header("Authorization", "Bearer " + token).GET(), 0, 100_000,
          Duration.ofMinutes(4))) {
        Await.until(Duration.ofSeconds(60), "both replicas answering 20 requests or more",
            () -> load.perReplica().size() == 2
                && load.perReplica().values().stream().allMatch(n -> n >= 20),
            () -> load.perReplica().toString());

        Replica victim = stack.autoscaler.serving().get(0);
        Replica survivor = stack.autoscaler.serving().get(1);
        ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow();
        handle.destroyForcibly(); // SIGKILL
        handle.onExit().get();
        // Requests sent before this instant may have been in flight on the victim.
        long killedAt = System.nanoTime();
        int atKill = load.outcomes().size();

        Await.until(Duration.ofSeconds(120), "a replacement serving",
            () -> stack.autoscaler.serving().size() == 2
                && !stack.autoscaler.serving().contains(victim), stack::state);
        Replica replacement = stack.autoscaler.serving().stream()
            .filter(r -> !r.equals(survivor)).findFirst().orElseThrow();
        Await.until(Duration.ofSeconds(30), "the replacement answering and 300 requests since",
            () -> load.perReplica().containsKey(replacement.dial())
                && load.outcomes().size() > atKill + 300, load.perReplica()::toString);
        load.close();

        List<Load.Outcome> sentAfterKill = load.failures().stream()
            .filter(o -> o.startNanos() > killedAt).toList();
        assertTrue(sentAfterKill.isEmpty(), sentAfterKill.size() + " request(s) sent after the "
            + "kill failed: " + sentAfterKill.stream().limit(5).toList());
        assertTrue(load.perReplica().containsKey(victim.dial()), "the victim had served");
        System.out.println("kill -9 under load with the API: " + load.failures().size()
            + " in-flight request(s) failed of " + load.outcomes().size() + "; per replica "
            + load.perReplica());
      }
    }
  }
}
