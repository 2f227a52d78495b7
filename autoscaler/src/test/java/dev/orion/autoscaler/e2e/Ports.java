package dev.orion.autoscaler.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for processes a test starts. */
public final class Ports {
  private Ports() {}

  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first port of {@code count} consecutive free ones. */
  public static int freeRange(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first = 20_000 + (int) (Math.random() * 30_000);
      boolean ok = true;
      for (int p = first; p < first + count && ok; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
          ok = true;
        } catch (IOException busy) {
          ok = false;
        }
      }
      if (ok) {
        return first;
      }
    }
    throw new IllegalStateException("no free port range of " + count);
  }
}
