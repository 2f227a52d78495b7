package dev.orion.api.auth;

import dev.orion.common.problem.OrionException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sign-up, login and the bootstrap admin. */
public final class AccountService {
  private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);
  /** Short enough to derive a Linux user name from, and free of anything a shell would read. */
  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{2,29}");
  private static final int MIN_PASSWORD = 8;
  /** In UTF-8 bytes: bcrypt reads no further, and the library refuses longer input. */
  private static final int MAX_PASSWORD_BYTES = 72;

  private final Jdbi jdbi;
  private final Tokens tokens;
  private final Clock clock;
  private final boolean signupOpen;
  private final LoginThrottle throttle;

  public AccountService(Jdbi jdbi, Tokens tokens, Clock clock, boolean signupOpen, LoginThrottle throttle) {
    this.jdbi = jdbi;
    this.tokens = tokens;
    this.clock = clock;
    this.signupOpen = signupOpen;
    this.throttle = throttle;
  }

  public void signup(String username, String password) {
    if (!signupOpen) {
      throw OrionException.forbidden("sign-up is closed on this installation (ORION_SIGNUP=closed)");
    }
    validate(username, password);
    String hash = Passwords.hash(password);
    try {
      jdbi.useExtension(UserDao.class, d -> d.insert(username, hash, Principal.USER, clock.instant()));
    } catch (UnableToExecuteStatementException e) {
      if (isDuplicate(e)) {
        throw OrionException.conflict("username '" + username + "' is taken");
      }
      throw e;
    }
  }

  /**
   * Checks a password, throttled per account and client address: after the throttle's threshold
   * of failures within its window, logins for that account from that address answer 429 with
   * Retry-After until the block runs out. A success clears that address's count.
   */
  public Tokens.Issued login(String username, String password, String client) {
    if (username == null || password == null) {
      throw OrionException.badRequest("username and password are required");
    }
    checkPasswordBytes(password);
    if (!USERNAME.matcher(username).matches()) {
      throw OrionException.unauthorized("wrong username or password"); // no such account can exist
    }
    String account = username.toLowerCase(java.util.Locale.ROOT);
    Instant now = clock.instant();
    Optional<Instant> blocked = jdbi.withExtension(LoginFailureDao.class, d -> d.blockedUntil(account, client));
    if (blocked.isPresent() && blocked.get().isAfter(now)) {
      throw OrionException.tooManyRequests("too many failed logins for '" + username + "' from " + client
          + "; try again later", Duration.between(now, blocked.get()));
    }
    Optional<UserDao.UserRow> user = jdbi.withExtension(UserDao.class, d -> d.find(username));
    if (!Passwords.matches(password, user.map(UserDao.UserRow::passwordHash).orElse(null))) {
      jdbi.useTransaction(h -> {
        LoginFailureDao d = h.attach(LoginFailureDao.class);
        d.fail(account, client, now, now.minus(throttle.window()));
        Duration block = throttle.blockFor(d.failures(account, client));
        if (!block.isZero()) {
          d.block(account, client, now.plus(block));
        }
      });
      throw OrionException.unauthorized("wrong username or password");
    }
    jdbi.useExtension(LoginFailureDao.class, d -> d.clear(account, client));
    UserDao.UserRow u = user.orElseThrow();
    return tokens.issue(new Principal(u.id(), u.username(), u.role()), u.tokenVersion());
  }

  /** Revokes every token of the caller's account, on every replica, from the next request on. */
  public void logout(Principal caller) {
    jdbi.useExtension(UserDao.class, d -> d.revokeTokens(caller.userId()));
  }

  /** Makes sure the configured admin exists with the configured password. */
  public void ensureAdmin(String username, String password) {
    validate(username, password);
    String hash = Passwords.hash(password);
    jdbi.useTransaction(h -> {
      UserDao d = h.attach(UserDao.class);
      Optional<UserDao.UserRow> existing = d.find(username);
      if (existing.isPresent()) {
        UserDao.UserRow u = existing.get();
        // Every replica runs this at start: rewriting the same password (a new salt, so a new hash)
        // would revoke the admin's tokens each time a replica starts.
        if (!Passwords.matches(password, u.passwordHash())) {
          d.update(u.id(), hash, Principal.ADMIN);
        } else if (!Principal.ADMIN.equals(u.role())) {
          d.update(u.id(), u.passwordHash(), Principal.ADMIN);
        }
      } else {
        d.insert(username, hash, Principal.ADMIN, clock.instant());
      }
    });
    LOG.info("admin account '{}' ready", username);
  }

  private static void validate(String username, String password) {
    if (username == null || password == null) {
      throw OrionException.badRequest("username and password are required");
    }
    if (!USERNAME.matcher(username).matches()) {
      throw OrionException.badRequest(
          "username must be 3-30 characters: letters, digits, '_', '.', '-', starting with a letter or digit");
    }
    if (password.length() < MIN_PASSWORD) {
      throw OrionException.badRequest("password must be at least " + MIN_PASSWORD + " characters");
    }
    checkPasswordBytes(password);
  }

  private static void checkPasswordBytes(String password) {
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw OrionException.badRequest("password must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
    }
  }

  static boolean isDuplicate(UnableToExecuteStatementException e) {
    return e.getCause() instanceof java.sql.SQLIntegrityConstraintViolationException;
  }
}
