package dev.orion.autoscaler.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The change to the pool Caddy's {@code http.servers} config that makes every reverse_proxy list
 * exactly the wanted upstreams, computed without side effects.
 *
 * <p>All handlers change in one document so that Caddy reloads once per scaling step (every
 * admin-API change reloads the whole config). The same pass tags untagged handlers with
 * {@code @id}s, which a Caddyfile cannot write.
 */
public record UpstreamPlan(JsonNode servers, List<String> handlerIds, List<String> before,
    boolean changed) {

  public static UpstreamPlan of(JsonNode currentServers, List<String> wantedDials) {
    JsonNode servers = currentServers.deepCopy();
    List<HandlerFinder.Found> found = HandlerFinder.reverseProxies(servers, "");
    if (found.isEmpty()) {
      throw new CaddyException("Caddy's config has no reverse_proxy handler to manage");
    }
    boolean changed = false;
    List<String> ids = new ArrayList<>();
    List<String> before = null;
    int next = 0;
    for (HandlerFinder.Found f : found) {
      ObjectNode handler = (ObjectNode) servers.at(f.path());
      String id = f.id();
      if (id == null) {
        do {
          id = CaddyAdmin.ID_PREFIX + next++;
        } while (taken(found, ids, id));
        handler.put("@id", id);
        changed = true;
      }
      ids.add(id);
      List<String> have = dials(handler);
      if (before == null) {
        before = have;
      }
      if (!new TreeSet<>(have).equals(new TreeSet<>(wantedDials))) {
        ArrayNode list = handler.putArray("upstreams");
        wantedDials.forEach(d -> list.addObject().put("dial", d));
        changed = true;
      }
    }
    return new UpstreamPlan(servers, ids, before, changed);
  }

  private static boolean taken(List<HandlerFinder.Found> found, List<String> ids, String id) {
    return ids.contains(id) || found.stream().anyMatch(f -> id.equals(f.id()));
  }

  static List<String> dials(JsonNode handler) {
    List<String> out = new ArrayList<>();
    handler.path("upstreams").forEach(u -> out.add(u.path("dial").asText()));
    return out;
  }
}
