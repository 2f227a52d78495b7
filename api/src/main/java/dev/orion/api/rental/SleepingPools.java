package dev.orion.api.rental;

/**
 * Why free workers may be missing: pools that sleep now, each with when it wakes. A rent that
 * cannot be met adds this to its 409, so the caller knows whether waiting (or a wake) helps.
 */
@FunctionalInterface
public interface SleepingPools {
  /** E.g. {@code "pool 'batch' sleeps until 2027-01-14T07:00:00Z (08:00 Europe/Paris)"}; empty when none sleeps. */
  String describe();

  SleepingPools NONE = () -> "";
}
