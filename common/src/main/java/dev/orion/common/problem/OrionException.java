package dev.orion.common.problem;

/**
 * The one error model: every failure a caller should see is one of these, carrying its HTTP
 * status and a human {@code detail}. The API maps them to RFC 9457 problem+json in one place.
 */
public class OrionException extends RuntimeException {
  private final int status;
  private final String title;
  private final java.time.Duration retryAfter;

  public OrionException(int status, String title, String detail) {
    this(status, title, detail, null);
  }

  public OrionException(int status, String title, String detail, Throwable cause) {
    this(status, title, detail, cause, null);
  }

  private OrionException(int status, String title, String detail, Throwable cause, java.time.Duration retryAfter) {
    super(detail, cause);
    this.status = status;
    this.title = title;
    this.retryAfter = retryAfter;
  }

  /** When the same request may succeed if sent again ({@code Retry-After}), or null. */
  public java.time.Duration retryAfter() {
    return retryAfter;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return getMessage();
  }

  public static OrionException badRequest(String detail) {
    return new OrionException(400, "Bad Request", detail);
  }

  public static OrionException unauthorized(String detail) {
    return new OrionException(401, "Unauthorized", detail);
  }

  public static OrionException forbidden(String detail) {
    return new OrionException(403, "Forbidden", detail);
  }

  public static OrionException notFound(String detail) {
    return new OrionException(404, "Not Found", detail);
  }

  public static OrionException conflict(String detail) {
    return new OrionException(409, "Conflict", detail);
  }

  /** A conflict that resolves by itself: the caller may retry after {@code retryAfter}. */
  public static OrionException conflict(String detail, java.time.Duration retryAfter) {
    return new OrionException(409, "Conflict", detail, null, retryAfter);
  }

  /** Throttled: the same request may succeed after {@code retryAfter}. */
  public static OrionException tooManyRequests(String detail, java.time.Duration retryAfter) {
    return new OrionException(429, "Too Many Requests", detail, null, retryAfter);
  }

  /** Existed once and never will again (a forgotten node): the caller must start over, not retry. */
  public static OrionException gone(String detail) {
    return new OrionException(410, "Gone", detail);
  }

  public static OrionException tooLarge(String detail) {
    return new OrionException(413, "Content Too Large", detail);
  }

  /** A worker could not be reached or refused a provisioning step. */
  public static OrionException badGateway(String detail, Throwable cause) {
    return new OrionException(502, "Bad Gateway", detail, cause);
  }

  public static OrionException unavailable(String detail) {
    return new OrionException(503, "Service Unavailable", detail);
  }

  /** Not serving yet (or for a while): the same request may succeed after {@code retryAfter}. */
  public static OrionException unavailable(String detail, java.time.Duration retryAfter) {
    return new OrionException(503, "Service Unavailable", detail, null, retryAfter);
  }
}
