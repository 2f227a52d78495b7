package dev.orion.api.pool;

import dev.orion.common.problem.OrionException;
import java.util.regex.Pattern;

/** The one rule for pool names, wherever a pool is named (registration, rent, schedules). */
public final class PoolName {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private PoolName() {}

  public static boolean valid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** {@code name}, or a 400 naming {@code field}. */
  public static String check(String field, String name) {
    if (!valid(name)) {
      throw OrionException.badRequest(field + " must be 1-64 lowercase letters, digits or '-'"
          + " starting with a letter or digit");
    }
    return name;
  }
}
