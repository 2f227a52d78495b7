package dev.orion.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for processes a test starts, which bind them a moment (a JVM's or a server's start)
 * after they are chosen. Chosen below the kernel's ephemeral range (32768 and up), so an outgoing
 * connection cannot take one meanwhile, as it can take a port the kernel handed out for
 * {@code bind(0)}; and never twice in one JVM.
 */
public final class Ports {
  private static final int FROM = 20_000;
  private static final int TO = 32_000;
  private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** A port nothing listens on now. */
  public static int free() {
    return freeRange(1);
  }

  /** The first of {@code count} consecutive ports nothing listens on now. */
  public static int freeRange(int count) {
    for (int tries = 0; tries < 1000; tries++) {
      int first = ThreadLocalRandom.current().nextInt(FROM, TO - count + 1);
      if (take(first, count)) {
        return first;
      }
    }
    throw new IllegalStateException("no " + count + " free consecutive ports between " + FROM + " and " + TO);
  }

  /** Gives a port back once what bound it is gone. */
  public static void release(int port) {
    TAKEN.remove(port);
  }

  private static boolean take(int first, int count) {
    List<Integer> mine = new ArrayList<>();
    for (int p = first; p < first + count; p++) {
      boolean ours = TAKEN.add(p);
      if (ours) {
        mine.add(p);
      }
      if (!ours || !bindable(p)) {
        TAKEN.removeAll(mine);
        return false;
      }
    }
    return true;
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }
}
