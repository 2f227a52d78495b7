package dev.orion.common.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets with TCP_NODELAY. SSH sends many small packets and waits for the answer (channel open,
 * exec request, close); with Nagle's algorithm each exec stalls ~40 ms on delayed ACKs.
 * Set before connect so the key exchange benefits too.
 */
final class NoDelaySocketFactory extends SocketFactory {
  static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

  private NoDelaySocketFactory() {}

  @Override
  public Socket createSocket() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setKeepAlive(true);
    return s;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new java.net.InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    Socket s = createSocket();
    s.bind(new java.net.InetSocketAddress(localHost, localPort));
    s.connect(new java.net.InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new java.net.InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    Socket s = createSocket();
    s.bind(new java.net.InetSocketAddress(localAddress, localPort));
    s.connect(new java.net.InetSocketAddress(address, port));
    return s;
  }

  private Socket connected(java.net.InetSocketAddress to) throws IOException {
    Socket s = createSocket();
    s.connect(to);
    return s;
  }
}
