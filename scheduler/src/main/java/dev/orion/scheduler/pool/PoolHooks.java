package dev.orion.scheduler.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A pool's hooks around sleeping: its webhooks (signed, retried with back-off, each delivery's
 * outcome returned so the reconciler can log it as an event) and the ArgoCD toggle (automated
 * sync removed before sleeping, exactly what was there put back after waking).
 */
public final class PoolHooks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RETRY_BASE = Duration.ofSeconds(1);
  private static final Duration RETRY_MAX = Duration.ofSeconds(8);

  private final Webhook webhook;
  private final Optional<ArgoCd> argocd;
  private final int attempts;

  public PoolHooks(Webhook webhook, Optional<ArgoCd> argocd, int attempts) {
    this.webhook = webhook;
    this.argocd = argocd;
    this.attempts = attempts;
  }

  /** One line per webhook saying how its delivery went. */
  public List<String> notify(List<PoolSnapshot.Webhook> hooks, String pool, String event, String reason, Instant at)
      throws InterruptedException {
    List<String> outcomes = new ArrayList<>();
    for (PoolSnapshot.Webhook h : hooks) {
      String delivery = UUID.randomUUID().toString();
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(Map.of("event", event, "pool", pool, "reason", reason,
            "at", at.toString(), "delivery", delivery));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      Webhook.Outcome last = null;
      int attempt = 1;
      for (; attempt <= attempts; attempt++) {
        if (attempt > 1) {
          Thread.sleep(Webhook.retryDelay(attempt, RETRY_BASE, RETRY_MAX).toMillis());
        }
        last = webhook.deliver(URI.create(h.url()), h.secret().getBytes(StandardCharsets.UTF_8), event, delivery, body);
        if (last.delivered() || !last.retryable()) {
          break;
        }
      }
      int tried = Math.min(attempt, attempts);
      outcomes.add("webhook " + h.id() + " " + event + (last.delivered() ? " delivered (" + last.status() + ")"
          : " failed after " + tried + " attempt" + (tried == 1 ? "" : "s") + ": "
              + (last.status() == 0 ? last.error() : "HTTP " + last.status())));
    }
    return outcomes;
  }

  /**
   * Removes automated sync from each application; returns {@code saved} with what each had (apps
   * already saved by an earlier, interrupted attempt keep their first value). JSON text, or null
   * when there is nothing to put back.
   */
  public String disableSync(List<String> apps, String saved) throws IOException, InterruptedException {
    if (apps.isEmpty()) {
      return saved;
    }
    ArgoCd client = argocd.orElseThrow(() -> new IOException("ArgoCD applications " + apps
        + " are configured but ORION_ARGOCD_URL is not set"));
    ObjectNode map = saved == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(saved);
    for (String app : apps) {
      Optional<JsonNode> automated = client.disableAutomatedSync(app);
      if (!map.has(app)) {
        map.set(app, automated.orElse(JSON.nullNode()));
      }
    }
    return map.isEmpty() ? null : JSON.writeValueAsString(map);
  }

  /** Puts back what {@link #disableSync} saved. */
  public void restoreSync(String saved) throws IOException, InterruptedException {
    ArgoCd client = argocd.orElseThrow(() -> new IOException("ArgoCD policies to restore but ORION_ARGOCD_URL is not set"));
    JsonNode map = JSON.readTree(saved);
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      client.restore(e.getKey(), e.getValue().isNull() ? Optional.empty() : Optional.of(e.getValue()));
    }
  }
}
