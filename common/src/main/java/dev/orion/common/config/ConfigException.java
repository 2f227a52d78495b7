package dev.orion.common.config;

/** A configuration value that is missing or malformed; the message names the variable. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String variable, String problem) {
    super(variable + " " + problem);
  }
}
