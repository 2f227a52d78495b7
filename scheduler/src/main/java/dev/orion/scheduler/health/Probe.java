package dev.orion.scheduler.health;

/** The outcome of one SSH probe; {@code error} is null when it answered. */
public record Probe(boolean ok, String error) {
  public static Probe answered() {
    return new Probe(true, null);
  }

  public static Probe failed(String error) {
    return new Probe(false, error.length() > 250 ? error.substring(0, 250) : error);
  }
}
