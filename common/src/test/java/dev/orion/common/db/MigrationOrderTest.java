package dev.orion.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.testkit.TestDb;
import org.junit.jupiter.api.Test;

/** Migrations numbered in per-area ranges land in any order; a database takes a lower late one. */
class MigrationOrderTest {
  @Test
  void aMigrationBelowTheNewestAppliedOneIsStillApplied() {
    DbConfig cfg = TestDb.freshConfig(2);
    try (Database db = Database.connect(cfg)) {
      // The state of a database migrated before V30 existed, but after a higher one (V40).
      db.jdbi().useHandle(h -> {
        h.execute("DROP TABLE node_alert_classes");
        h.execute("DELETE FROM flyway_schema_history WHERE version = '30'");
      });
      db.migrate();
      db.validate();
      int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM node_alert_classes")
          .mapTo(Integer.class).one());
      assertEquals(0, rows, "the table is back");
    }
  }
}
