package dev.orion.api.pool;

import dev.orion.common.problem.OrionException;
import io.javalin.openapi.OpenApiIgnore;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Bodies of the pool endpoints. */
public final class PoolRequests {
  static final Set<String> DRIVERS = Set.of("sandbox", "docker", "command", "none");
  static final int MAX_GRACE_MINUTES = 24 * 60;
  static final int MAX_OVERRIDE_MINUTES = 7 * 24 * 60;
  private static final int MAX_WEBHOOKS = 8;
  /** 16 names of at most 253 characters fit the 4 KiB the pool keeps for them. */
  private static final int MAX_APPS = 16;
  private static final Pattern APP = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  private PoolRequests() {}

  /** A webhook: where to POST, and the secret its deliveries are signed with. */
  public record WebhookBody(String url, String secret) {}

  /** A pool's settings; absent fields take their defaults (PUT replaces). */
  public record Settings(String driver, Integer gracePeriodMinutes, Integer userWakeMinutes,
      List<WebhookBody> webhooks, List<String> argocdApplications) {

    @OpenApiIgnore
    PoolSettings validate(String pool, String defaultDriver) {
      String d = driver == null ? defaultDriver : driver;
      if (!DRIVERS.contains(d)) {
        throw OrionException.badRequest("driver must be one of sandbox, docker, command, none");
      }
      int grace = minutes("grace_period_minutes", gracePeriodMinutes, PoolSettings.DEFAULT_GRACE_MINUTES,
          MAX_GRACE_MINUTES);
      int userWake = minutes("user_wake_minutes", userWakeMinutes, 0, MAX_OVERRIDE_MINUTES);
      List<WebhookBody> hooks = webhooks == null ? List.of() : webhooks;
      if (hooks.size() > MAX_WEBHOOKS) {
        throw OrionException.badRequest("at most " + MAX_WEBHOOKS + " webhooks");
      }
      for (int i = 0; i < hooks.size(); i++) {
        checkWebhook("webhooks[" + i + "]", hooks.get(i));
      }
      List<String> apps = argocdApplications == null ? List.of() : argocdApplications;
      if (apps.size() > MAX_APPS) {
        throw OrionException.badRequest("at most " + MAX_APPS + " ArgoCD applications");
      }
      for (String a : apps) {
        if (a == null || !APP.matcher(a).matches()) {
          throw OrionException.badRequest("argocd_applications: '" + a + "' is not an application name"
              + " (lowercase letters, digits, '.' and '-')");
        }
      }
      return new PoolSettings(pool, d, grace, userWake, hooks, List.copyOf(apps));
    }
  }

  /** A manual wake or sleep, for {@code for_minutes} from now. */
  public record OverrideBody(Integer forMinutes) {
    @OpenApiIgnore
    int validate() {
      if (forMinutes == null) {
        throw OrionException.badRequest("for_minutes is required");
      }
      return minutes("for_minutes", forMinutes, 0, MAX_OVERRIDE_MINUTES);
    }
  }

  private static int minutes(String field, Integer value, int fallback, int max) {
    int v = value == null ? fallback : value;
    if (v < 0 || v > max || (field.equals("for_minutes") && v == 0)) {
      throw OrionException.badRequest(field + " must be between " + (field.equals("for_minutes") ? 1 : 0)
          + " and " + max);
    }
    return v;
  }

  private static void checkWebhook(String field, WebhookBody w) {
    if (w == null || w.url() == null || w.secret() == null) {
      throw OrionException.badRequest(field + ": url and secret are required");
    }
    URI uri;
    try {
      uri = new URI(w.url());
    } catch (URISyntaxException e) {
      throw OrionException.badRequest(field + ".url is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || w.url().length() > 2048) {
      throw OrionException.badRequest(field + ".url must be an absolute http(s) URL of at most 2048 characters");
    }
    if (w.secret().length() < 16 || w.secret().length() > 255) {
      throw OrionException.badRequest(field + ".secret must be 16 to 255 characters");
    }
  }
}
