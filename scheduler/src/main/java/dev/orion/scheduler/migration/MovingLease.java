package dev.orion.scheduler.migration;

import dev.orion.common.ssh.ClientAccount;
import java.time.Instant;

/** A lease waiting in {@code migrating}, with its (dead) node and any node reserved for it. */
public record MovingLease(
    long id,
    long nodeId,
    String nodeStatus,
    String pool,
    Long targetNodeId,
    String clientUser,
    String passwordCrypt,
    String publicKey,
    Instant leasedUntil) {

  /** The same login on the new node: user, password hash and public key travel unchanged. */
  public ClientAccount account() {
    return new ClientAccount(clientUser, passwordCrypt, publicKey);
  }
}
