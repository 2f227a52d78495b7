package dev.orion.common.node;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one rule for a node's labels, checked by the API on registration and by the agent on
 * {@code ORION_LABELS} at start: an agent whose labels the API would refuse stops with a clear
 * message instead of registering in vain forever. JDK only, since the agent ships with nothing
 * else of {@code common}.
 */
public final class Labels {
  public static final int MAX_LABELS = 32;
  public static final int MAX_VALUE_LENGTH = 255;
  /** Starts with a letter or digit (so keys never look like options or hidden names), at most 63. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_./-]{0,62}");

  private Labels() {}

  /**
   * Checks a node's labels.
   *
   * @throws IllegalArgumentException saying which label breaks which part of the rule
   */
  public static void validate(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw new IllegalArgumentException("at most " + MAX_LABELS + " labels, got " + labels.size());
    }
    labels.forEach((k, v) -> {
      if (k == null || !KEY.matcher(k).matches()) {
        throw new IllegalArgumentException("label key '" + k + "' must start with a letter or digit and hold 1 to 63"
            + " of A-Z a-z 0-9 _ . / -");
      }
      if (v == null) {
        throw new IllegalArgumentException("label '" + k + "' has no value");
      }
      if (v.length() > MAX_VALUE_LENGTH) {
        throw new IllegalArgumentException("label '" + k + "' has a value longer than " + MAX_VALUE_LENGTH
            + " characters");
      }
      if (v.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("label '" + k + "' has a control character in its value");
      }
    });
  }
}
