package dev.orion.api.auth;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Accounts. */
public interface UserDao {
  record UserRow(long id, String username, String passwordHash, String role, int tokenVersion) {}

  /** What a token is checked against on every request. */
  record Standing(String role, int tokenVersion) {}

  @SqlQuery("SELECT id, username, password_hash, role, token_version FROM users WHERE username = :username")
  @RegisterConstructorMapper(UserRow.class)
  Optional<UserRow> find(@Bind("username") String username);

  @SqlUpdate("INSERT INTO users (username, password_hash, role, created_at) VALUES (:username, :hash, :role, :now)")
  @GetGeneratedKeys("id")
  long insert(@Bind("username") String username, @Bind("hash") String hash, @Bind("role") String role,
      @Bind("now") Instant now);

  /** A new password revokes the account's tokens (token_version is assigned first, from the old hash). */
  @SqlUpdate("UPDATE users SET token_version = token_version + (password_hash <> :hash), password_hash = :hash,"
      + " role = :role WHERE id = :id")
  void update(@Bind("id") long id, @Bind("hash") String hash, @Bind("role") String role);

  @SqlQuery("SELECT role, token_version FROM users WHERE id = :id")
  @RegisterConstructorMapper(Standing.class)
  Optional<Standing> standing(@Bind("id") long id);

  /** Standings of several accounts at once (open event streams are re-checked this way). */
  record IdStanding(long id, String role, int tokenVersion) {}

  @SqlQuery("SELECT id, role, token_version FROM users WHERE id IN (<ids>)")
  @RegisterConstructorMapper(IdStanding.class)
  java.util.List<IdStanding> standings(@org.jdbi.v3.sqlobject.customizer.BindList("ids") java.util.Collection<Long> ids);

  @SqlUpdate("UPDATE users SET token_version = token_version + 1 WHERE id = :id")
  int revokeTokens(@Bind("id") long id);
}
