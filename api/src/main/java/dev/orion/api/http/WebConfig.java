package dev.orion.api.http;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What browsers and event-stream clients meet.
 *
 * <ul>
 *   <li>{@code ORION_PUBLIC_ORIGIN}: the origin browsers load the console from
 *       ({@code https://orion.example.com}); state-changing requests signed in by the session
 *       cookie must come from it. Unset: the request's own origin as the edge saw it (Host, or
 *       X-Forwarded-Host and X-Forwarded-Proto set by Caddy)
 *   <li>{@code ORION_EVENTS_POLL_INTERVAL}: how often a replica's one reader publishes and reads the
 *       event log for its open streams (250 ms)
 *   <li>{@code ORION_EVENTS_KEEPALIVE}: a comment on an idle stream this often, so proxies and
 *       clients keep it open (15 s)
 *   <li>{@code ORION_EVENTS_CLIENT_QUEUE}: frames a stream may have waiting for a slow client; one
 *       more closes it (the client resumes with Last-Event-ID) (1024)
 * </ul>
 */
public record WebConfig(Optional<String> publicOrigin, Duration eventPoll, Duration eventKeepAlive,
    int eventClientQueue) {

  public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);
  public static final int DEFAULT_CLIENT_QUEUE = 1024;

  public WebConfig {
    if (eventPoll.isZero() || eventPoll.isNegative()) {
      throw new ConfigException("ORION_EVENTS_POLL_INTERVAL", "must be positive");
    }
    if (eventKeepAlive.isZero() || eventKeepAlive.isNegative()) {
      throw new ConfigException("ORION_EVENTS_KEEPALIVE", "must be positive");
    }
  }

  public static WebConfig defaults() {
    return new WebConfig(Optional.empty(), DEFAULT_POLL, DEFAULT_KEEPALIVE, DEFAULT_CLIENT_QUEUE);
  }

  public WebConfig withKeepAlive(Duration d) {
    return new WebConfig(publicOrigin, eventPoll, d, eventClientQueue);
  }

  public WebConfig withClientQueue(int n) {
    return new WebConfig(publicOrigin, eventPoll, eventKeepAlive, n);
  }

  public WebConfig withPublicOrigin(String origin) {
    return new WebConfig(Optional.of(origin(origin)), eventPoll, eventKeepAlive, eventClientQueue);
  }

  public static WebConfig from(Env env) {
    return new WebConfig(
        env.optional("ORION_PUBLIC_ORIGIN").map(WebConfig::origin),
        env.duration("ORION_EVENTS_POLL_INTERVAL", DEFAULT_POLL),
        env.duration("ORION_EVENTS_KEEPALIVE", DEFAULT_KEEPALIVE),
        env.integer("ORION_EVENTS_CLIENT_QUEUE", DEFAULT_CLIENT_QUEUE, 16, 1_000_000));
  }

  /** {@code scheme://host[:port]}, lower case, default port dropped: how browsers send Origin. */
  static String origin(String s) {
    URI u;
    try {
      u = URI.create(s.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ORION_PUBLIC_ORIGIN", "not a URL: " + s);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null
        || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))) {
      throw new ConfigException("ORION_PUBLIC_ORIGIN", "must be scheme://host[:port], e.g. https://orion.example.com");
    }
    return Origins.normalize(scheme, u.getHost(), u.getPort());
  }
}
