package dev.orion.agent;

import java.time.Duration;

/** Waiting, injectable so tests run backoff loops without waiting. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(d.toMillis());

  void sleep(Duration d) throws InterruptedException;
}
