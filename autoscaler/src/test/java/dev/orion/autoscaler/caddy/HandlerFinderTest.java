package dev.orion.autoscaler.caddy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finds the handlers in the config that {@code caddy adapt} makes of the project's Caddyfile. */
class HandlerFinderTest {
  @Test
  void findsTheReverseProxyOfTheAdaptedPoolCaddyfile() throws Exception {
    Path root = Path.of(System.getProperty("orion.root", "..")).toAbsolutePath().normalize();
    Process p = new ProcessBuilder("caddy", "adapt", "--config",
        root.resolve("Caddyfile.pool").toString(), "--adapter", "caddyfile")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String json = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "caddy adapt accepts the Caddyfile");
    var servers = new ObjectMapper().readTree(json).path("apps").path("http").path("servers");
    List<HandlerFinder.Found> found = HandlerFinder.reverseProxies(servers, "/config/x");
    assertEquals(1, found.size(), "the pool has one reverse_proxy: " + found);
    for (HandlerFinder.Found f : found) {
      assertEquals(null, f.id());
      assertEquals("reverse_proxy", servers.at(f.path().substring("/config/x".length()))
          .path("handler").asText(), f.path());
    }
  }

  @Test
  void keepsExistingIds() throws Exception {
    var tree = new ObjectMapper().readTree("""
        {"a": {"routes": [{"handle": [{"handler": "reverse_proxy", "@id": "x"},
                                      {"handler": "static_response"}]}]}}
        """);
    assertEquals(List.of(new HandlerFinder.Found("/s/a/routes/0/handle/0", "x")),
        HandlerFinder.reverseProxies(tree, "/s"));
  }
}
