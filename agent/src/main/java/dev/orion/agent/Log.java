package dev.orion.agent;

import java.time.Instant;

/** One line per event on stderr, timestamped; the agent has no logging framework on purpose. */
final class Log {
  private Log() {}

  static void info(String msg) {
    System.err.println(Instant.now() + " INFO  orion-agent " + msg);
  }

  static void warn(String msg) {
    System.err.println(Instant.now() + " WARN  orion-agent " + msg);
  }

  static void error(String msg) {
    System.err.println(Instant.now() + " ERROR orion-agent " + msg);
  }
}
