package dev.orion.testkit;

import dev.orion.common.db.DbConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 that a test can cut: while cut, every open connection is reset and
 * new ones are refused at once, exactly what a process sees when its database host is unreachable.
 * It can also go silent: connections stay open but nothing crosses, as when a network path drops
 * packets without a reset.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetAddress upstreamHost;
  private final int upstreamPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean silent;

  public TcpProxy(int upstreamPort) throws IOException {
    this(InetAddress.getLoopbackAddress(), upstreamPort);
  }

  /** A proxy in front of {@code upstreamHost:upstreamPort} (a sandbox worker's own address, say). */
  public TcpProxy(String upstreamHost, int upstreamPort) throws IOException {
    this(InetAddress.getByName(upstreamHost), upstreamPort);
  }

  private TcpProxy(InetAddress upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  /** A proxy in front of the database server that {@code db} points at. */
  public static TcpProxy inFrontOf(DbConfig db) throws IOException {
    return new TcpProxy(URI.create(db.url().substring("jdbc:".length())).getPort());
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code db}'s URL with this proxy in place of the server. */
  public String url(DbConfig db) {
    return db.url().replace(":" + upstreamPort + "/", ":" + port() + "/");
  }

  public void cut() {
    cut = true;
    silent = false; // a pump holding data for a silent link ends on the closed socket
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Keeps every connection open but forwards nothing until {@link #restore()}. */
  public void silence() {
    silent = true;
  }

  public void restore() {
    cut = false;
    silent = false;
  }

  @Override
  public void close() {
    cut();
    closeQuietly(server);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (cut) {
          client.setSoLinger(true, 0); // RST, not a polite FIN
          client.close();
          continue;
        }
        Socket up = new Socket(upstreamHost, upstreamPort);
        open.add(client);
        open.add(up);
        pump(client, up);
        pump(up, client);
      } catch (IOException e) {
        // server closed, or upstream refused: the client sees its socket closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          while (silent) {
            Thread.sleep(10);
          }
          out.write(buf, 0, n);
        }
      } catch (IOException | InterruptedException e) {
        // cut or closed: tear down both directions below
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
