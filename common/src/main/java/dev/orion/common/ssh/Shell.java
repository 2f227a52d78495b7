package dev.orion.common.ssh;

/** Quoting for values spliced into commands run by a POSIX shell on a worker. */
public final class Shell {
  private Shell() {}

  /**
   * Single-quotes a value: inside single quotes the shell interprets nothing, and an embedded
   * quote is closed, escaped and reopened. Safe for any string without NUL.
   */
  public static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a shell argument cannot contain NUL");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
