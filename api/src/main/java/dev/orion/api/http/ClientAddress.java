package dev.orion.api.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The caller's address as the edge saw it. Requests reach a replica through two Caddy proxies,
 * each appending the address it received from to {@code X-Forwarded-For}; a proxy is trusted
 * when it sits on a loopback or private address (the edge, the pool, a Docker network). The
 * client is the right-most address that is not such a proxy; a header from anyone else is
 * ignored, so a client cannot pick its own address by sending one directly to a replica.
 */
public final class ClientAddress {
  private ClientAddress() {}

  public static String of(Context ctx) {
    String peer = ctx.req().getRemoteAddr();
    String forwarded = ctx.header("X-Forwarded-For");
    if (forwarded == null || !trusted(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    String leftmost = peer;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (!literal(hop)) {
        return peer; // not an address: the chain cannot be trusted past here
      }
      if (!trusted(hop)) {
        return hop;
      }
      leftmost = hop;
    }
    return leftmost; // every hop local: a client on the same machine or network
  }

  private static boolean literal(String s) {
    return !s.isEmpty() && s.length() <= 45 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
  }

  private static boolean trusted(String address) {
    try {
      InetAddress a = InetAddress.getByName(address); // a literal: no lookup
      return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
          || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc); // IPv6 unique local
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
