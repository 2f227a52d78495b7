package dev.orion.scheduler.testing;

import dev.orion.common.ssh.HostKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/** Logs in as a client would: user name and password, over a fresh SSH connection. */
public final class ClientLogin {
  private ClientLogin() {}

  /** Runs {@code whoami} as {@code user}; returns its output, or throws when the login fails. */
  public static String whoami(String host, int port, String hostKeyLine, String user, String password)
      throws IOException {
    try (SSHClient ssh = new SSHClient()) {
      String expected = HostKeys.fingerprint(hostKeyLine);
      ssh.addHostKeyVerifier(new HostKeyVerifier() {
        @Override
        public boolean verify(String h, int p, PublicKey key) {
          return fingerprint(key).equals(expected);
        }

        @Override
        public List<String> findExistingAlgorithms(String h, int p) {
          return List.of();
        }
      });
      ssh.setConnectTimeout(5000);
      ssh.connect(host, port);
      ssh.authPassword(user, password);
      try (Session s = ssh.startSession()) {
        Session.Command c = s.exec("whoami");
        c.join(10, TimeUnit.SECONDS);
        return IOUtils.readFully(c.getInputStream()).toString(StandardCharsets.UTF_8).strip();
      }
    }
  }

  private static String fingerprint(PublicKey key) {
    String line = KeyType.fromKey(key) + " " + java.util.Base64.getEncoder().encodeToString(
        new net.schmizz.sshj.common.Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    return HostKeys.fingerprint(line);
  }
}
