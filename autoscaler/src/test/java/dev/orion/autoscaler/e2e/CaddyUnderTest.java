package dev.orion.autoscaler.e2e;

import dev.orion.testkit.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real Caddy binary running the project's edge ({@code Caddyfile}) and replica pool
 * ({@code Caddyfile.pool}) on free ports, each with its state (the edge's holds the internal CA)
 * in a directory of its own under {@code target/}.
 */
public final class CaddyUnderTest implements AutoCloseable {
  public final int httpsPort = Ports.free();
  public final int agentPort = Ports.free();
  public final int poolPort = Ports.free();
  public final Path home;
  /** The admin sockets' directory, 0700 as scripts/edge.sh makes it. */
  public final Path adminDir;
  private final Process pool;
  private final Process edge;
  private SSLContext trust;

  public CaddyUnderTest(String name) throws IOException {
    Path root = repoRoot();
    home = root.resolve("autoscaler/target/caddy-" + name + "-" + ProcessHandle.current().pid());
    Files.createDirectories(home);
    adminDir = home.resolve("admin");
    Files.createDirectories(adminDir);
    Files.setPosixFilePermissions(adminDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.deleteIfExists(adminDir.resolve("pool.sock"));
    Files.deleteIfExists(adminDir.resolve("edge.sock"));
    pool = start(root.resolve("Caddyfile.pool"), "pool");
    edge = start(root.resolve("Caddyfile"), "edge");
  }

  private Process start(Path caddyfile, String role) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(caddyBinary(), "run", "--config",
        caddyfile.toString(), "--adapter", "caddyfile"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(home.resolve(role + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("ORION_HTTPS_PORT", Integer.toString(httpsPort));
    env.put("ORION_AGENT_PORT", Integer.toString(agentPort));
    env.put("ORION_POOL_PORT", Integer.toString(poolPort));
    env.put("ORION_POOL_ADDRESS", "127.0.0.1:" + poolPort);
    env.put("ORION_CADDY_ADMIN", "unix/" + adminDir.resolve("pool.sock"));
    env.put("ORION_EDGE_ADMIN", "unix/" + adminDir.resolve("edge.sock"));
    env.remove("ORION_CADDY_ADMIN_ORIGIN");
    env.put("XDG_DATA_HOME", home.resolve(role + "/data").toString());
    env.put("XDG_CONFIG_HOME", home.resolve(role + "/config").toString());
    env.remove("ORION_API_UPSTREAMS");
    env.remove("ORION_DOMAIN");
    env.remove("ORION_TLS");
    return pb.start();
  }

  public static Path repoRoot() {
    String prop = System.getProperty("orion.root");
    Path p = prop != null ? Path.of(prop) : Path.of("..");
    return p.toAbsolutePath().normalize();
  }

  private static String caddyBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "caddy"))) {
        return Path.of(dir, "caddy").toString();
      }
    }
    throw new IllegalStateException(
        "caddy is not installed: these tests run the real Caddy (apt-get install caddy)");
  }

  /** The pool's admin API: a unix socket, as {@code CaddyAdmin} takes it. */
  public URI admin() {
    return URI.create("unix:" + adminDir.resolve("pool.sock"));
  }

  public URI https(String path) {
    return URI.create("https://localhost:" + httpsPort + path);
  }

  public URI agentHttp(String path) {
    return URI.create("http://127.0.0.1:" + agentPort + path);
  }

  /** Caddy's internal CA root, the one certificate clients must trust. */
  public Path rootCertificate() {
    return home.resolve("edge/data/caddy/pki/authorities/local/root.crt");
  }

  /** Waits until the admin API answers and TLS handshakes succeed with the internal CA. */
  public CaddyUnderTest awaitReady(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!pool.isAlive() || !edge.isAlive()) {
        throw new IllegalStateException("caddy exited: " + logs());
      }
      try {
        if (Files.exists(rootCertificate())) {
          SSLContext ctx = trustingRoot();
          try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(
              InetAddress.getLoopbackAddress(), httpsPort)) {
            var params = s.getSSLParameters();
            params.setServerNames(List.of(new javax.net.ssl.SNIHostName("localhost")));
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            s.startHandshake();
          }
          try (var admin = java.nio.channels.SocketChannel.open(
              java.net.UnixDomainSocketAddress.of(adminDir.resolve("pool.sock")))) {
            trust = ctx;
            return this;
          }
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("caddy not ready within " + limit + "; logs: " + logs(),
        last);
  }

  /** PIDs of the pool and edge Caddy processes. */
  public List<Long> pids() {
    return List.of(pool.pid(), edge.pid());
  }

  public SSLContext trust() {
    return trust;
  }

  private SSLContext trustingRoot() throws Exception {
    X509Certificate root;
    try (InputStream in = Files.newInputStream(rootCertificate())) {
      root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("caddy-local-root", root);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private String logs() throws IOException {
    return Files.readString(home.resolve("pool.log")) + Files.readString(home.resolve("edge.log"));
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : List.of(edge, pool)) {
      p.destroy();
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
