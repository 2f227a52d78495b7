package dev.orion.autoscaler.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds the reverse_proxy handlers in Caddy's JSON config. The Caddyfile cannot give a handler an
 * {@code @id}, so the autoscaler locates them by shape and then tags them (see {@link CaddyAdmin}).
 */
final class HandlerFinder {
  /** A reverse_proxy handler: its config path below {@code /config/} and its @id if it has one. */
  record Found(String path, String id) {}

  private HandlerFinder() {}

  /** Walks a config subtree rooted at {@code basePath} in document order. */
  static List<Found> reverseProxies(JsonNode root, String basePath) {
    List<Found> out = new ArrayList<>();
    walk(root, basePath, out);
    return out;
  }

  private static void walk(JsonNode node, String path, List<Found> out) {
    if (node.isObject()) {
      if ("reverse_proxy".equals(node.path("handler").asText())) {
        JsonNode id = node.get("@id");
        out.add(new Found(path, id == null ? null : id.asText()));
        return;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        walk(f.getValue(), path + "/" + f.getKey(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "/" + i, out);
      }
    }
  }
}
