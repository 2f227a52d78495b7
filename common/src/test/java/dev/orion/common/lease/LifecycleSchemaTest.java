package dev.orion.common.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orion.common.db.Database;
import dev.orion.common.job.JobStatus;
import dev.orion.common.node.NodeStatus;
import dev.orion.testkit.TestDb;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.statement.StatementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The database's CHECK constraints (V3) allow exactly the enums' states, and refuse anything else. */
class LifecycleSchemaTest {
  static Database db;

  @BeforeAll
  static void start() {
    db = TestDb.fresh();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void checkConstraintsMirrorTheEnums() {
    assertEquals(names(LeaseStatus.values()), allowed("ck_rentals_status"));
    Set<String> leaseEvents = allowed("ck_events_lease_status");
    leaseEvents.remove("lease"); // the kind it applies to
    assertEquals(names(LeaseStatus.values()), leaseEvents);
    assertEquals(names(EndReason.values()), allowed("ck_rentals_end_reason"));
    assertEquals(names(NodeStatus.values()), allowed("ck_nodes_status"));
    assertEquals(names(JobStatus.values()), allowed("ck_jobs_status"));
  }

  @Test
  void theDatabaseRefusesAStateNoTableKnows() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThrows(StatementException.class, () -> db.jdbi().useHandle(h -> h.execute(
        "INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, status, registered_at,"
            + " last_seen_at) VALUES ('bad', '127.0.0.1', 22, 'k', 'f', 'sleeping', ?, ?)", now, now)));
    long user = db.jdbi().withHandle(h -> h.createUpdate(
            "INSERT INTO users (username, password_hash, created_at) VALUES ('lifecycle', 'x', :now)")
        .bind("now", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    String insert = "INSERT INTO rentals (user_id, node_id, client_user, password_crypt, status, end_reason,"
        + " created_at, leased_until) VALUES (?, 1, 'c', 'p', ?, ?, ?, ?)";
    assertThrows(StatementException.class, () -> db.jdbi().useHandle(h -> h.execute(insert, user, "paused", null, now, now)));
    assertThrows(StatementException.class, () -> db.jdbi().useHandle(h -> h.execute(insert, user, "ended", null, now, now)),
        "an ended lease says why");
    assertThrows(StatementException.class, () -> db.jdbi().useHandle(h -> h.execute(insert, user, "active", "expired", now, now)),
        "only an ended lease has a reason");
    db.jdbi().useHandle(h -> h.execute(insert, user, "ended", "failed", now, now));
  }

  /** The quoted values of a CHECK constraint's IN list. */
  static Set<String> allowed(String constraint) {
    String clause = db.jdbi().withHandle(h -> h.createQuery("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
            + " WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = :n")
        .bind("n", constraint).mapTo(String.class).one());
    Set<String> values = new TreeSet<>();
    Matcher m = Pattern.compile("'([a-z_]+)'").matcher(clause);
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  static Set<String> names(Enum<?>[] values) {
    Set<String> out = new TreeSet<>();
    Arrays.stream(values).forEach(v -> out.add(v.name().toLowerCase(java.util.Locale.ROOT)));
    return out;
  }
}
