package dev.orion.api.support;

import dev.orion.common.ssh.HostKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.FingerprintVerifier;

/** Logs in to a worker the way a client would: as the client user, checking the host key. */
public final class ClientSsh {
  private ClientSsh() {}

  public record KeyPair(Path privateKey, String publicKeyLine) {}

  public static KeyPair newKeyPair() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(Path.of("target"), "client-key");
    Path key = dir.resolve("id_ed25519");
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ssh-keygen failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    return new KeyPair(key, Files.readString(dir.resolve("id_ed25519.pub")).trim());
  }

  public static String runWithPassword(String host, int port, String hostKey, String user, String password,
      String command) throws IOException {
    try (SSHClient ssh = connect(host, port, hostKey)) {
      ssh.authPassword(user, password);
      return run(ssh, command);
    }
  }

  public static String runWithKey(String host, int port, String hostKey, String user, KeyPair key, String command)
      throws IOException {
    try (SSHClient ssh = connect(host, port, hostKey)) {
      ssh.authPublickey(user, ssh.loadKeys(key.privateKey().toString()));
      return run(ssh, command);
    }
  }

  private static SSHClient connect(String host, int port, String hostKey) throws IOException {
    SSHClient ssh = new SSHClient();
    String pinned = HostKeys.fingerprint(hostKey);
    ssh.addHostKeyVerifier(FingerprintVerifier.getInstance(pinned));
    ssh.setConnectTimeout(5_000);
    ssh.connect(host, port);
    return ssh;
  }

  private static String run(SSHClient ssh, String command) throws IOException {
    try (Session s = ssh.startSession()) {
      Session.Command c = s.exec(command);
      String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      c.join(10, TimeUnit.SECONDS);
      if (c.getExitStatus() == null || c.getExitStatus() != 0) {
        throw new IOException(command + " exited " + c.getExitStatus());
      }
      return out;
    }
  }
}
