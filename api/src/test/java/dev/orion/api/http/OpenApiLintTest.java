package dev.orion.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served /openapi is a contract tools accept: Redocly CLI 2.x lints it with no error, and
 * every operation is named, says how it authenticates and describes its errors as problem+json.
 */
class OpenApiLintTest {
  static ApiHarness api;
  static JsonNode doc;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    Http.Response r = api.http.get("/openapi", null);
    assertEquals(200, r.status());
    doc = r.json();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static List<Map.Entry<String, JsonNode>> operations() {
    List<Map.Entry<String, JsonNode>> ops = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> m = p.getValue().fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> op = m.next();
        ops.add(Map.entry(op.getKey().toUpperCase() + " " + p.getKey(), op.getValue()));
      }
    }
    return ops;
  }

  @Test
  void redoclyLintFindsNoError() throws Exception {
    Path file = Path.of("target", "openapi.json").toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.writeString(file, doc.toPrettyString(), StandardCharsets.UTF_8);
    Path script = Path.of("..", "scripts", "redocly-lint.sh").toAbsolutePath().normalize();
    Process p = new ProcessBuilder(script.toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "redocly did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("Woohoo! Your API description is valid.") || !out.contains(" error"), out);
  }

  @Test
  void everyOperationIsNamedOnceAndDescribesItsErrors() {
    Set<String> ids = new HashSet<>();
    for (Map.Entry<String, JsonNode> e : operations()) {
      JsonNode op = e.getValue();
      assertTrue(op.hasNonNull("operationId"), e.getKey() + " has no operationId");
      assertTrue(ids.add(op.get("operationId").asText()), "duplicate operationId " + op.get("operationId"));
      boolean anyError = false;
      for (Iterator<Map.Entry<String, JsonNode>> r = op.get("responses").fields(); r.hasNext(); ) {
        Map.Entry<String, JsonNode> resp = r.next();
        if (resp.getKey().startsWith("4") || resp.getKey().startsWith("5")) {
          anyError = true;
          assertTrue(resp.getValue().path("content").has("application/problem+json"),
              e.getKey() + " " + resp.getKey() + " is not described as problem+json");
        }
      }
      assertTrue(anyError, e.getKey() + " lists no error");
    }
  }

  @Test
  void protectedOperationsDeclareTheBearerScheme() {
    Set<String> open = Set.of("POST /api/signup", "POST /api/login", "GET /api/health", "GET /api/ready",
        "GET /healthz", "GET /", "GET /console/{file}");
    assertEquals("bearer", doc.at("/components/securitySchemes/bearerAuth/scheme").asText());
    for (Map.Entry<String, JsonNode> e : operations()) {
      JsonNode security = e.getValue().get("security");
      if (open.contains(e.getKey())) {
        continue;
      }
      assertTrue(security != null && security.isArray() && !security.isEmpty(), e.getKey() + " declares no security");
    }
  }

  /**
   * The generator names a schema by its class's simple name: two records of one name in different
   * features (a rental's Detail and a job's) silently become one schema, and one operation then
   * documents the other's body. Such a loser shows up as a schema nothing refers to.
   */
  @Test
  void everySchemaIsReferencedSoNoTwoClassesShareAName() {
    String text = doc.toString();
    for (Iterator<String> names = doc.at("/components/schemas").fieldNames(); names.hasNext(); ) {
      String name = names.next();
      assertTrue(text.contains("\"#/components/schemas/" + name + "\""),
          "schema " + name + " is never referenced: does another class have the same simple name?");
    }
  }
}
