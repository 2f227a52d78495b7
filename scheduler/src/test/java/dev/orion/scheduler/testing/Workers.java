package dev.orion.scheduler.testing;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.HostKeys;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/** Registers sandbox workers as nodes and leases them the way the API would. */
public final class Workers {
  private final Jdbi jdbi;
  private final Fleet fleet;

  public Workers(Jdbi jdbi, Fleet fleet) {
    this.jdbi = jdbi;
    this.fleet = fleet;
  }

  /** A registered, alive, free and clean node for {@code w}; returns its id. */
  public long register(SandboxWorker w) {
    Instant now = Instant.now();
    return jdbi.withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
            + " host_key_fingerprint, status, allocated, clean, registered_at, last_seen_at)"
            + " VALUES (:h, :ip, :port, :key, :fp, 'alive', 0, 1, :now, :now)")
        .bind("h", w.name() + "-" + w.port()).bind("ip", w.ip()).bind("port", w.port()).bind("key", w.hostKey())
        .bind("fp", HostKeys.fingerprint(w.hostKey())).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  /** Creates the client user on the worker and an active lease for it; returns the rental id. */
  public long lease(SandboxWorker w, long nodeId, String user, String password, Instant until) throws Exception {
    String crypt = PasswordCrypt.sha512(password);
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      new ClientAccounts(c).create(w.endpoint(nodeId), new ClientAccount(user, crypt, null));
    }
    return jdbi.inTransaction(h -> {
      h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", nodeId);
      return h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt,"
              + " status, created_at, leased_until) VALUES (:u, :n, :cu, :pc, 'active', :now, :until)")
          .bind("u", fleet.userId()).bind("n", nodeId).bind("cu", user).bind("pc", crypt)
          .bind("now", Instant.now()).bind("until", until)
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    });
  }
}
