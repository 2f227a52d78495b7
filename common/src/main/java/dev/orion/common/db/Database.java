package dev.orion.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.transaction.SerializableTransactionRunner;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The shared MariaDB: a Hikari pool, a Jdbi handle factory and the Flyway schema.
 *
 * <p>Every time is stored as a UTC {@code DATETIME(6)} and bound from Java, never taken from the
 * server's {@code NOW()}: the session time zone of the server then cannot shift a lease, and tests
 * can drive time with a settable {@link java.time.Clock}.
 */
public final class Database implements AutoCloseable {
  /** How long a statement waits for a row lock before it fails (and its transaction is retried). */
  public static final Duration LOCK_WAIT = Duration.ofSeconds(10);

  private final HikariDataSource dataSource;
  private final DbConfig cfg;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource, DbConfig cfg) {
    this.dataSource = dataSource;
    this.cfg = cfg;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    // InnoDB resolves lock cycles (gap locks of concurrent inserts, ...) by failing one side with
    // SQLSTATE 40001; transactions are short and idempotent, so they are simply run again.
    jdbi.setTransactionHandler(new SerializableTransactionRunner());
    jdbi.getConfig(SerializableTransactionRunner.Configuration.class).setMaxRetries(10);
    jdbi.registerArgument(new UtcInstantArgumentFactory());
    jdbi.registerColumnMapper(Instant.class, (rs, col, ctx) -> {
      LocalDateTime t = rs.getObject(col, LocalDateTime.class);
      return t == null ? null : t.toInstant(ZoneOffset.UTC);
    });
  }

  public static Database connect(DbConfig cfg) {
    return connect(cfg, null);
  }

  /**
   * Like {@link #connect(DbConfig)}, with every connection at {@code isolation} between
   * transactions (null: the server's default). A process whose transactions all ask for one level
   * saves the two statements per transaction that switch the session to it and back.
   */
  public static Database connect(DbConfig cfg, TransactionIsolationLevel isolation) {
    HikariConfig hc = new HikariConfig();
    if (isolation != null) {
      hc.setTransactionIsolation(switch (isolation) {
        case READ_UNCOMMITTED -> "TRANSACTION_READ_UNCOMMITTED";
        case READ_COMMITTED -> "TRANSACTION_READ_COMMITTED";
        case REPEATABLE_READ -> "TRANSACTION_REPEATABLE_READ";
        case SERIALIZABLE -> "TRANSACTION_SERIALIZABLE";
        default -> throw new IllegalArgumentException("no isolation level " + isolation);
      });
    }
    hc.setJdbcUrl(cfg.url());
    hc.setUsername(cfg.user());
    hc.setPassword(cfg.password());
    hc.setMaximumPoolSize(cfg.poolSize());
    hc.setMinimumIdle(Math.min(2, cfg.poolSize()));
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(2_000);
    hc.setInitializationFailTimeout(-1);
    hc.setPoolName("orion-db");
    hc.addDataSourceProperty("socketTimeout", Math.toIntExact(cfg.socketTimeout().toMillis()));
    // Short lock waits: a blocked claim should give up and retry, not pile up connections.
    hc.setConnectionInitSql("SET SESSION innodb_lock_wait_timeout = " + LOCK_WAIT.toSeconds());
    return new Database(new HikariDataSource(hc), cfg);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Applies pending migrations; only the schema owner (the API) calls this. Runs as the migration
   * account when one is configured (a short-lived connection of its own), else as the runtime one.
   */
  public void migrate() {
    if (cfg.migrateUser().isEmpty()) {
      flyway(Flyway.configure().dataSource(dataSource)).migrate();
    } else {
      flyway(Flyway.configure().dataSource(cfg.url(), cfg.migrateUser(), cfg.migratePassword())).migrate();
    }
  }

  /** Fails when the schema is behind or ahead of this build; every other process calls this. */
  public void validate() {
    flyway(Flyway.configure().dataSource(dataSource)).validate();
  }

  private static Flyway flyway(org.flywaydb.core.api.configuration.FluentConfiguration configure) {
    return configure
        .locations("classpath:db/migration")
        // Each area of the code numbers its migrations in a range of its own (V3-V9, V10-V19, ...,
        // V40+), and they land in any order: a database that already has V40 must still take a
        // V30 merged after it, instead of refusing to start.
        .outOfOrder(true)
        .load();
  }

  /** True when the database answers a trivial query within {@code timeoutSeconds}. */
  public boolean ping(int timeoutSeconds) {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(timeoutSeconds);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  private static final class UtcInstantArgumentFactory extends AbstractArgumentFactory<Instant> {
    UtcInstantArgumentFactory() {
      super(Types.TIMESTAMP);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
      return (position, statement, ctx) ->
          statement.setObject(position, LocalDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }
}
