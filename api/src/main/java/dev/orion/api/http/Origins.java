package dev.orion.api.http;

import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Origins as browsers write them in the {@code Origin} header ({@code scheme://host[:port]}, the
 * default port left out), and the one a request was addressed to as the edge saw it.
 */
public final class Origins {
  private Origins() {}

  static String normalize(String scheme, String host, int port) {
    String s = scheme.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    boolean defaultPort = port < 0 || (s.equals("https") && port == 443) || (s.equals("http") && port == 80);
    return s + "://" + h + (defaultPort ? "" : ":" + port);
  }

  /** An {@code Origin} header's value normalised, or empty when it is no http(s) origin ({@code null}, junk). */
  public static Optional<String> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    try {
      URI u = new URI(header.strip());
      String scheme = u.getScheme();
      if (scheme == null || u.getHost() == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || (u.getRawPath() != null && !u.getRawPath().isEmpty())) {
        return Optional.empty();
      }
      return Optional.of(normalize(scheme, u.getHost(), u.getPort()));
    } catch (java.net.URISyntaxException e) {
      return Optional.empty();
    }
  }

  /**
   * The origin the request was sent to: the configured public origin, else scheme and host as the
   * edge received them. Caddy passes the client's Host on and sets X-Forwarded-Proto and
   * X-Forwarded-Host; those headers are trusted here because a page on another site cannot make a
   * browser send them (a cross-site request with custom headers needs a CORS preflight this API
   * never grants), and the Origin it cannot forge is what is compared with them.
   */
  public static Optional<String> ofRequest(Context ctx, Optional<String> configured) {
    if (configured.isPresent()) {
      return configured;
    }
    String proto = first(ctx.header("X-Forwarded-Proto"));
    String scheme = proto != null ? proto : ctx.scheme();
    String host = first(ctx.header("X-Forwarded-Host"));
    if (host == null) {
      host = ctx.header("Host");
    }
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    return parse(scheme + "://" + host.strip());
  }

  private static String first(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    int comma = header.indexOf(',');
    return (comma < 0 ? header : header.substring(0, comma)).strip();
  }
}
