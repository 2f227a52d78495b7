package dev.orion.agent;

/**
 * The control plane refused the agent with an answer that retrying cannot change (a 4xx other
 * than 408, 410 and 429): a wrong enrollment token, a label or address it does not accept, a
 * hostname registered to another identity. The agent says why and exits non-zero instead of
 * retrying forever; an operator fixes the cause and starts it again.
 */
public final class Refused extends Exception {
  /** The exit status of an agent the control plane refused. */
  public static final int EXIT_STATUS = 3;

  private final int status;

  Refused(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status of the refusal. */
  public int status() {
    return status;
  }

  /**
   * Whether an answer is final: a 4xx the same request will get again. 408 (timeout) and 429
   * (throttled) pass; 410 is handled by the caller (the node was forgotten: enroll again).
   */
  static boolean isFinal(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }

  /** A problem+json answer's {@code detail} (the API says there exactly why), else the body itself, cut short. */
  static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "(no detail)";
    }
    try {
      String detail = Json.topLevelString(body, "detail");
      if (detail != null) {
        return detail;
      }
    } catch (IllegalArgumentException notJson) {
      // not a problem document: show what came
    }
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
  }
}
