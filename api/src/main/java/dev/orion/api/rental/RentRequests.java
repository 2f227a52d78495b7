package dev.orion.api.rental;

import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.HostKeys;
import java.math.BigDecimal;
import io.javalin.openapi.OpenApiIgnore;
import io.javalin.openapi.OpenApiPropertyType;
import java.time.Duration;

/** Bodies the rental endpoints accept, and the rules that turn them into lease terms. */
public final class RentRequests {
  /** The longest a lease may run from now, whether rented or extended. */
  public static final Duration MAX_LEASE = Duration.ofDays(30);
  public static final Duration MIN_LEASE = Duration.ofMinutes(1);
  public static final int MAX_COUNT = 100;
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

  private RentRequests() {}

  public record Rent(@OpenApiPropertyType(definedBy = Double.class) BigDecimal durationHours, Integer durationMinutes, Integer count, String sshPassword,
      String sshPublicKey) {
    /** The lease length asked for; exactly one of the two duration fields must be given. */
    @OpenApiIgnore
    public Duration duration() {
      if ((durationHours == null) == (durationMinutes == null)) {
        throw OrionException.badRequest("give exactly one of duration_hours or duration_minutes");
      }
      Duration d = durationHours != null ? hours(durationHours, "duration_hours") : minutes(durationMinutes);
      if (d.compareTo(MIN_LEASE) < 0) {
        throw OrionException.badRequest("a lease lasts at least 1 minute");
      }
      return d;
    }

    @OpenApiIgnore
    public int countOrDefault() {
      int n = count == null ? 1 : count;
      if (n < 1 || n > MAX_COUNT) {
        throw OrionException.badRequest("count must be between 1 and " + MAX_COUNT);
      }
      return n;
    }

    /** Validates the caller's own credentials, if any. */
    @OpenApiIgnore
    public void validateCredentials() {
      if (sshPassword != null && (sshPassword.length() < 8 || sshPassword.length() > 128
          || !sshPassword.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
        throw OrionException.badRequest("ssh_password must be 8-128 printable ASCII characters");
      }
      if (sshPublicKey != null) {
        try {
          HostKeys.validate(sshPublicKey);
        } catch (IllegalArgumentException e) {
          throw OrionException.badRequest("ssh_public_key: " + e.getMessage());
        }
      }
    }
  }

  public record Extend(@OpenApiPropertyType(definedBy = Double.class) BigDecimal additionalHours) {
    @OpenApiIgnore
    public Duration duration() {
      if (additionalHours == null) {
        throw OrionException.badRequest("additional_hours is required");
      }
      return hours(additionalHours, "additional_hours");
    }
  }

  static Duration hours(BigDecimal h, String field) {
    if (h.signum() <= 0) {
      throw OrionException.badRequest(field + " must be greater than zero");
    }
    BigDecimal seconds = h.multiply(SECONDS_PER_HOUR);
    if (seconds.compareTo(BigDecimal.valueOf(MAX_LEASE.toSeconds())) > 0) {
      throw OrionException.badRequest(field + " must be at most " + MAX_LEASE.toHours());
    }
    return Duration.ofSeconds(seconds.longValue());
  }

  static Duration minutes(int m) {
    if (m <= 0) {
      throw OrionException.badRequest("duration_minutes must be greater than zero");
    }
    if (m > MAX_LEASE.toMinutes()) {
      throw OrionException.badRequest("duration_minutes must be at most " + MAX_LEASE.toMinutes());
    }
    return Duration.ofMinutes(m);
  }
}
