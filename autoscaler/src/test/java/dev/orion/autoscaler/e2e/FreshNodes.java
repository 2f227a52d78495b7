package dev.orion.autoscaler.e2e;

import dev.orion.common.db.DbConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A node starts unclean and only the schedulers' scrub makes it rentable. The stacks of these tests
 * run no scheduler; their sandbox workers are fresh and hold no client user, which is what a scrub
 * would find, so a test marks such a node clean the way the scrub's last step does.
 */
public final class FreshNodes {
  private FreshNodes() {}

  public static void markScrubbed(DbConfig db, String hostname) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        PreparedStatement s = c.prepareStatement(
            "UPDATE nodes SET clean = TRUE WHERE live_hostname = ? AND allocated = FALSE AND clean = FALSE")) {
      s.setString(1, hostname);
      if (s.executeUpdate() != 1) {
        throw new IllegalStateException("node " + hostname + " is not a new, free, unclean node");
      }
    }
  }
}
