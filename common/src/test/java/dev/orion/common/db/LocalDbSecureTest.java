package dev.orion.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orion.localdb.LocalDb;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The embedded MariaDB of {@code ./orion up}, secured: no account without a password, and the
 * services' account reads and writes rows of the orion schema and nothing else, while only the
 * migration account changes the schema.
 */
class LocalDbSecureTest {
  @Test
  void noPasswordlessAccountAndTheAppUserStaysInItsSchema() throws Exception {
    int port = Ports.free();
    Path home = TestDb.dataHome("mariadb-secure-" + ProcessHandle.current().pid());
    try (LocalDb db = LocalDb.startSecured(home, port, "+00:00", "root-pw-1")) {
      String url = "jdbc:mariadb://127.0.0.1:" + port + "/";
      db.secure("orion", "orion", "app-pw-1", "orion_migrate", "mig-pw-1");
      db.createDatabase("orion");
      db.secure("orion", "orion", "app-pw-1", "orion_migrate", "mig-pw-1"); // a restart runs it again
    }
    // Started again on the same data directory, as the next ./orion up would.
    try (LocalDb db = LocalDb.startSecured(home, port, "+00:00", "root-pw-1")) {
      String url = "jdbc:mariadb://127.0.0.1:" + port + "/";
      db.secure("orion", "orion", "app-pw-1", "orion_migrate", "mig-pw-1");

      assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "root", "").close());
      assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "", "").close());
      try (Connection root = DriverManager.getConnection(url, "root", "root-pw-1");
          Statement s = root.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mysql.global_priv WHERE User <> 'mariadb.sys'"
              + " AND JSON_VALUE(Priv, '$.authentication_string') = '' AND JSON_VALUE(Priv, '$.plugin')"
              + " IN ('mysql_native_password', '') ")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "accounts without a password");
      }
      DbConfig runtime = new DbConfig(url + "orion", "orion", "app-pw-1", 2);
      try (Database app = Database.connect(runtime)) {
        assertThrows(RuntimeException.class, app::migrate, "the services' account cannot change the schema");
      }
      try (Database app = Database.connect(runtime.migratingAs("orion_migrate", "mig-pw-1"))) {
        app.migrate(); // the migrating process runs Orion's migrations as the migration account
        app.validate(); // and everyone else checks the schema as the services' account
      }
      try (Connection mig = DriverManager.getConnection(url + "orion", "orion_migrate", "mig-pw-1");
          Statement s = mig.createStatement()) {
        s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
        assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM mysql.user"));
        assertThrows(SQLException.class, () -> s.execute("CREATE DATABASE elsewhere"));
      }
      try (Connection app = DriverManager.getConnection(url + "orion", "orion", "app-pw-1");
          Statement s = app.createStatement()) {
        s.execute("INSERT INTO t VALUES (1)");
        s.execute("UPDATE t SET id = 2");
        s.execute("DELETE FROM t");
        assertThrows(SQLException.class, () -> s.execute("DROP TABLE t"));
        assertThrows(SQLException.class, () -> s.execute("CREATE TABLE u (id INT)"));
        assertThrows(SQLException.class, () -> s.execute("ALTER TABLE t ADD COLUMN x INT"));
        assertThrows(SQLException.class, () -> s.execute("TRUNCATE TABLE t"));
        assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM mysql.user"));
        assertThrows(SQLException.class, () -> s.execute("CREATE DATABASE elsewhere"));
        assertThrows(SQLException.class, () -> s.execute("CREATE USER 'x'@'%' IDENTIFIED BY 'x'"));
        assertThrows(SQLException.class, () -> s.execute("GRANT ALL ON orion.* TO 'orion'@'127.0.0.1'"));
      }
    }
  }
}
