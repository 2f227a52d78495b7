package dev.orion.common.ssh;

import java.security.PublicKey;
import java.util.List;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Accepts exactly the key pinned at registration and nothing else: no known_hosts file, no
 * trust on first use at connection time (that happened once, when the agent registered).
 */
final class PinnedHostKey implements HostKeyVerifier {
  private final String pinnedLine;
  private volatile String presentedFingerprint;

  PinnedHostKey(String pinnedLine) {
    HostKeys.validate(pinnedLine);
    this.pinnedLine = pinnedLine;
  }

  @Override
  public boolean verify(String hostname, int port, PublicKey key) {
    presentedFingerprint = HostKeys.fingerprint(key);
    return HostKeys.sameKey(pinnedLine, key);
  }

  /** Makes the key exchange negotiate the pinned key's type when the server offers several. */
  @Override
  public List<String> findExistingAlgorithms(String hostname, int port) {
    String type = HostKeys.type(pinnedLine);
    // An RSA key is signed with one of these algorithms; listing only the key type would prefer SHA-1.
    return type.equals("ssh-rsa") ? List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa") : List.of(type);
  }

  /** Fingerprint of the key the server actually presented, for the error message. */
  String presentedFingerprint() {
    return presentedFingerprint;
  }
}
