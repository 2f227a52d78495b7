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
  record UserRow(long id, String username, String passwordHash, String role) {}

  @SqlQuery("SELECT id, username, password_hash, role FROM users WHERE username = :username")
  @RegisterConstructorMapper(UserRow.class)
  Optional<UserRow> find(@Bind("username") String username);

  @SqlUpdate("INSERT INTO users (username, password_hash, role, created_at) VALUES (:username, :hash, :role, :now)")
  @GetGeneratedKeys("id")
  long insert(@Bind("username") String username, @Bind("hash") String hash, @Bind("role") String role,
      @Bind("now") Instant now);

  @SqlUpdate("UPDATE users SET password_hash = :hash, role = :role WHERE id = :id")
  void update(@Bind("id") long id, @Bind("hash") String hash, @Bind("role") String role);
}
