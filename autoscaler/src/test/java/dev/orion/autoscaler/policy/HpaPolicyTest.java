package dev.orion.autoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HpaPolicyTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  /** target 50 %, tolerance 10 %, 1..10 replicas, 60 s window, up to +4/-2 per decision. */
  private static final ScalingPolicy POLICY =
      new ScalingPolicy(50, 0.1, 1, 10, Duration.ofSeconds(60), 4, 2);

  /** Replicas written as CPU figures; "s" is a starting replica, "?" a ready one without metric. */
  private static List<ReplicaSample> replicas(String... cpus) {
    List<ReplicaSample> out = new ArrayList<>();
    for (int i = 0; i < cpus.length; i++) {
      String id = "r" + i;
      out.add(switch (cpus[i]) {
        case "s" -> ReplicaSample.starting(id);
        case "?" -> new ReplicaSample(id, true, java.util.OptionalDouble.empty());
        default -> ReplicaSample.ready(id, Double.parseDouble(cpus[i]));
      });
    }
    return out;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, policy, replicas, expected desired
        Arguments.of("steady at target", POLICY, replicas("50", "50"), 2),
        Arguments.of("just inside tolerance above", POLICY, replicas("55", "55"), 2),
        Arguments.of("just inside tolerance below", POLICY, replicas("45", "45"), 2),
        Arguments.of("just outside tolerance above", POLICY, replicas("56", "56"), 3),
        Arguments.of("double the target doubles", POLICY, replicas("100", "100"), 4),
        Arguments.of("one hot replica", POLICY, replicas("150"), 3),
        Arguments.of("uneven load uses the average", POLICY, replicas("100", "20"), 3),
        Arguments.of("exact multiple is not rounded up", POLICY, replicas("75", "75"), 3),
        Arguments.of("step limit up", POLICY, replicas("400"), 5),
        Arguments.of("max bounds the scale-up", POLICY, replicas("200", "200", "200", "200"), 8),
        Arguments.of("max bounds it further", POLICY,
            replicas("200", "200", "200", "200", "200", "200", "200", "200"), 10),
        Arguments.of("min bounds the scale-down", POLICY, replicas("1"), 1),
        Arguments.of("no replicas starts the minimum",
            new ScalingPolicy(50, 0.1, 2, 5, Duration.ofSeconds(60), 1, 1), replicas(), 2),
        Arguments.of("below min is raised to min despite step limit",
            new ScalingPolicy(50, 0.1, 4, 5, Duration.ofSeconds(60), 1, 1), replicas("50"), 4),
        Arguments.of("above max is lowered to max despite step limit",
            new ScalingPolicy(50, 0.1, 1, 2, Duration.ofSeconds(60), 1, 1),
            replicas("50", "50", "50", "50"), 2),
        Arguments.of("no metrics holds", POLICY, replicas("s", "?"), 2),
        Arguments.of("starting replica counts as idle on the way up", POLICY,
            replicas("100", "s"), 2),
        Arguments.of("starting replica still allows a big scale-up", POLICY,
            replicas("200", "s"), 4),
        Arguments.of("missing metric counts as at target on the way down", POLICY,
            replicas("10", "?", "?", "?"), 4),
        Arguments.of("zero load, no history: step limit down", POLICY,
            replicas("0", "0", "0", "0", "0"), 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void desiredReplicas(String name, ScalingPolicy policy, List<ReplicaSample> samples, int want) {
    Decision d = HpaPolicy.decide(samples, policy, NOW, List.of());
    assertEquals(want, d.desired(), name + ": " + d.reason());
  }

  @Test
  void scaleUpIsImmediateEvenWithHigherRecentHistory() {
    List<Recommendation> history = List.of(new Recommendation(NOW.minusSeconds(10), 1));
    assertEquals(4, HpaPolicy.decide(replicas("100", "100"), POLICY, NOW, history).desired());
  }

  @Test
  void scaleDownWaitsForTheHighestRecommendationInTheWindow() {
    List<Recommendation> history = List.of(
        new Recommendation(NOW.minusSeconds(50), 4),
        new Recommendation(NOW.minusSeconds(20), 3));
    Decision d = HpaPolicy.decide(replicas("10", "10", "10", "10"), POLICY, NOW, history);
    assertEquals(4, d.desired(), d.reason());
    assertTrue(d.reason().contains("stabilised"), d.reason());
  }

  @Test
  void scaleDownFollowsTheWindowAsOldRecommendationsAgeOut() {
    List<Recommendation> history = List.of(
        new Recommendation(NOW.minusSeconds(61), 4),
        new Recommendation(NOW.minusSeconds(20), 3));
    Decision d = HpaPolicy.decide(replicas("10", "10", "10", "10"), POLICY, NOW, history);
    assertEquals(3, d.desired(), d.reason());
    assertEquals(List.of(new Recommendation(NOW.minusSeconds(20), 3), new Recommendation(NOW, 1)),
        d.history(), "aged-out recommendations are dropped, the new one is kept");
  }

  @Test
  void stabilisedScaleDownStillRespectsStepLimit() {
    List<Recommendation> history = List.of(new Recommendation(NOW.minusSeconds(30), 2));
    Decision d = HpaPolicy.decide(
        replicas("0", "0", "0", "0", "0", "0", "0"), POLICY, NOW, history);
    assertEquals(5, d.desired(), d.reason());
  }

  @Test
  void aQuietTickAfterABurstDoesNotShedReplicasAcrossRepeatedTicks() {
    // Replays a load that spikes then goes quiet: the tier stays large for the whole window and
    // then steps down, never below what the window asked for.
    ScalingPolicy policy = new ScalingPolicy(50, 0.1, 1, 10, Duration.ofSeconds(30), 4, 1);
    List<Recommendation> history = List.of();
    Instant t = NOW;
    Decision d = HpaPolicy.decide(replicas("100", "100"), policy, t, history);
    assertEquals(4, d.desired());
    List<ReplicaSample> quiet = replicas("5", "5", "5", "5");
    List<Integer> sizes = new ArrayList<>();
    int size = 4;
    history = d.history();
    for (int i = 1; i <= 8; i++) {
      t = t.plusSeconds(10);
      d = HpaPolicy.decide(quiet.subList(0, size), policy, t, history);
      history = d.history();
      size = d.desired();
      sizes.add(size);
    }
    assertEquals(List.of(4, 4, 3, 2, 1, 1, 1, 1), sizes);
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new ScalingPolicy(0, 0.1, 1, 2, Duration.ZERO, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ScalingPolicy(50, 0.1, 3, 2, Duration.ZERO, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ScalingPolicy(50, 1.5, 1, 2, Duration.ZERO, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ScalingPolicy(50, 0.1, 1, 2, Duration.ZERO, 0, 1));
  }
}
