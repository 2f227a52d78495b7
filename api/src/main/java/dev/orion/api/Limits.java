package dev.orion.api;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * What one account may do.
 *
 * @param maxLeasedPerUser {@code ORION_MAX_LEASED_PER_USER} (10): live leases one account holds
 *     at once; a rent beyond it is a 409
 * @param maxLease {@code ORION_MAX_LEASE_HOURS} (720): the longest a lease may last from its rent
 *     to its end, extensions included
 * @param signupOpen {@code ORION_SIGNUP} {@code open} (default) or {@code closed} (403)
 * @param loginFailures failed logins for one account from one client address within
 *     {@code loginWindow} after which logins from there are refused with 429 (5 in 15 minutes)
 * @param loginBackoffMax the longest Retry-After of that 429 (it starts at 1 s and doubles)
 */
public record Limits(int maxLeasedPerUser, Duration maxLease, boolean signupOpen, int loginFailures,
    Duration loginWindow, Duration loginBackoffMax) {
  public static final int DEFAULT_MAX_LEASED_PER_USER = 10;
  public static final int DEFAULT_MAX_LEASE_HOURS = 720;

  public static Limits defaults() {
    return new Limits(DEFAULT_MAX_LEASED_PER_USER, Duration.ofHours(DEFAULT_MAX_LEASE_HOURS), true, 5,
        Duration.ofMinutes(15), Duration.ofSeconds(60));
  }

  public static Limits from(Env env) {
    String signup = env.string("ORION_SIGNUP", "open");
    if (!signup.equals("open") && !signup.equals("closed")) {
      throw new ConfigException("ORION_SIGNUP", "must be open or closed, got '" + signup + "'");
    }
    Limits d = defaults();
    return new Limits(env.integer("ORION_MAX_LEASED_PER_USER", DEFAULT_MAX_LEASED_PER_USER, 1, 100_000),
        Duration.ofHours(env.integer("ORION_MAX_LEASE_HOURS", DEFAULT_MAX_LEASE_HOURS, 1, 24 * 366)),
        signup.equals("open"), d.loginFailures(), d.loginWindow(), d.loginBackoffMax());
  }

  public Limits withMaxLeasedPerUser(int n) {
    return new Limits(n, maxLease, signupOpen, loginFailures, loginWindow, loginBackoffMax);
  }

  public Limits withMaxLease(Duration d) {
    return new Limits(maxLeasedPerUser, d, signupOpen, loginFailures, loginWindow, loginBackoffMax);
  }

  public Limits withSignupOpen(boolean open) {
    return new Limits(maxLeasedPerUser, maxLease, open, loginFailures, loginWindow, loginBackoffMax);
  }
}
