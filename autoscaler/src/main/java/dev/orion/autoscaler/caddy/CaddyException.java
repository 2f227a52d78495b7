package dev.orion.autoscaler.caddy;

/** Caddy's admin API refused a call or could not be reached. */
public final class CaddyException extends RuntimeException {
  public CaddyException(String message) {
    super(message);
  }

  public CaddyException(String message, Throwable cause) {
    super(message, cause);
  }
}
