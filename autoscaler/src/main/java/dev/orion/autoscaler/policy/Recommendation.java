package dev.orion.autoscaler.policy;

import java.time.Instant;

/** A replica count the rule asked for at one moment; kept for the scale-down window. */
public record Recommendation(Instant at, int replicas) {}
