package dev.orion.api.auth;

/** Who is calling: an account from a verified token. */
public record Principal(long userId, String username, String role) {
  public static final String ADMIN = "admin";
  public static final String USER = "user";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  /** The actor recorded in lease events. */
  public String actor() {
    return "user:" + username;
  }
}
