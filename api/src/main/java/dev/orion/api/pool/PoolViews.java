package dev.orion.api.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Pools as answered. Settings that name endpoints (webhooks, ArgoCD applications, driver) are for admins. */
public final class PoolViews {
  private PoolViews() {}

  public record Pool(String pool, @JsonProperty("protected") boolean protectedPool, String desired,
      Map<String, Integer> nodes, Long scheduleId, ScheduleViews.NextTransition nextTransition,
      List<Override> overrides, @JsonProperty("node_hours_saved_7d") double nodeHoursSaved7d, int userWakeMinutes,
      @JsonInclude(JsonInclude.Include.NON_NULL) AdminSettings settings) {}

  /** {@code by} (who made it) is shown to admins only. */
  public record Override(String action, Instant createdAt, Instant until,
      @JsonInclude(JsonInclude.Include.NON_NULL) String by) {}

  public record AdminSettings(String driver, int gracePeriodMinutes, List<Webhook> webhooks,
      List<String> argocdApplications) {}

  /** The secret is never shown again. */
  public record Webhook(long id, String url) {}
}
