package dev.orion.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.openapi.plugin.DefinitionProcessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the generated document a contract client generators, Swagger UI and fuzzers can use, in
 * one place for every feature's endpoints rather than on each annotation: the bearer scheme and
 * which operations need it, a stable {@code operationId} for each operation (derived from method
 * and path where the annotation names none), the problem+json schema of every error answer and
 * the errors every operation can give (400/413 with a body, 401 with a token, 404 with a path id,
 * 500). The annotation-processor's {@code "security": null} goes, and its empty {@code servers}
 * becomes the serving origin.
 */
final class OpenApiContract implements DefinitionProcessor {
  static final String SCHEME = "bearerAuth";
  /** The browser session cookie (the same token), accepted wherever a user's token is. */
  static final String COOKIE_SCHEME = "cookieAuth";
  static final String PROBLEM = "application/problem+json";
  /** Operations anyone may call: everything else sends a bearer token (user, agent or Alertmanager). */
  static final Set<String> PUBLIC = Set.of("POST /api/signup", "POST /api/login", "GET /api/health",
      "GET /api/ready", "GET /healthz", "GET /", "GET /console/{file}", "GET /openapi", "GET /docs");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final DefinitionProcessor before;

  OpenApiContract(DefinitionProcessor before) {
    this.before = before;
  }

  @Override
  public String process(ObjectNode document) {
    before.process(document);
    apply(document);
    return document.toPrettyString();
  }

  static void apply(ObjectNode doc) {
    doc.remove("security");
    // The document is served by the API it describes, behind whatever name the edge has: the
    // one server is the same origin.
    doc.set("servers", F.arrayNode().add(F.objectNode().put("url", "/")
        .put("description", "the origin this document was fetched from")));
    ObjectNode components = doc.with("components");
    components.with("securitySchemes").set(SCHEME, F.objectNode().put("type", "http").put("scheme", "bearer")
        .put("description", "A user's JWT from POST /api/login; for /api/workers/* the enrollment token"
            + " (first registration) or the node's own token; for the Alertmanager webhook its token"));
    components.with("securitySchemes").set(COOKIE_SCHEME, F.objectNode().put("type", "apiKey").put("in", "cookie")
        .put("name", "orion_session")
        .put("description", "The session cookie POST /api/login sets for browsers (the same token). A request it"
            + " signs in that changes state must carry an Origin equal to the API's own, else 403."));
    components.with("schemas").set("Problem", problemSchema());
    if (!(doc.get("paths") instanceof ObjectNode paths)) {
      return;
    }
    List<String> names = new ArrayList<>();
    paths.fieldNames().forEachRemaining(names::add);
    for (String path : names) {
      ObjectNode item = (ObjectNode) paths.get(path);
      List<String> methods = new ArrayList<>();
      item.fieldNames().forEachRemaining(methods::add);
      for (String method : methods) {
        if (METHODS.contains(method) && item.get(method) instanceof ObjectNode op) {
          operation(method, path, op);
        }
      }
    }
  }

  private static void operation(String method, String path, ObjectNode op) {
    String key = method.toUpperCase() + " " + path;
    if (!op.hasNonNull("operationId") || op.get("operationId").asText().isBlank()) {
      op.put("operationId", operationId(method, path));
    }
    boolean isPublic = PUBLIC.contains(key);
    op.remove("security");
    if (isPublic) {
      op.set("security", F.arrayNode()); // explicitly none
    } else {
      ArrayNode schemes = F.arrayNode().add(F.objectNode().set(SCHEME, F.arrayNode()));
      if (!path.startsWith("/api/workers/") && !path.startsWith("/api/alerts/")) {
        schemes.add(F.objectNode().set(COOKIE_SCHEME, F.arrayNode()));
        if (!method.equals("get")) {
          error(op.with("responses"), "403", "signed in by the session cookie from another origin");
        }
      }
      op.set("security", schemes);
    }
    ObjectNode responses = op.with("responses");
    if (op.has("requestBody")) {
      error(responses, "400", "the body is malformed or a field is invalid");
      error(responses, "413", "the body is larger than the API accepts");
    }
    if (path.contains("{")) {
      error(responses, "404", "no such resource (or not the caller's)");
      error(responses, "400", "a path parameter is malformed");
    }
    if (!isPublic) {
      error(responses, "401", "missing, invalid, expired or revoked token");
    }
    error(responses, "500", "unexpected error");
    for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> r = it.next();
      if ((r.getKey().startsWith("4") || r.getKey().startsWith("5")) && r.getValue() instanceof ObjectNode resp) {
        if (!resp.hasNonNull("description") || resp.get("description").asText().isBlank()) {
          resp.put("description", r.getKey() + " problem");
        }
        resp.set("content", F.objectNode().set(PROBLEM,
            F.objectNode().set("schema", F.objectNode().put("$ref", "#/components/schemas/Problem"))));
      }
    }
    if (responses.has("204")) {
      ((ObjectNode) responses.get("204")).remove("content");
    }
  }

  private static void error(ObjectNode responses, String status, String description) {
    if (!responses.has(status)) {
      responses.set(status, F.objectNode().put("description", description));
    }
  }

  /** {@code POST /api/release/{rental_id}} → {@code postApiReleaseRentalId}. */
  static String operationId(String method, String path) {
    StringBuilder b = new StringBuilder(method.toLowerCase());
    for (String part : path.split("[^A-Za-z0-9]+")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }

  private static ObjectNode problemSchema() {
    ObjectNode props = F.objectNode();
    props.set("type", F.objectNode().put("type", "string").put("description", "about:blank"));
    props.set("title", F.objectNode().put("type", "string"));
    props.set("status", F.objectNode().put("type", "integer").put("format", "int32"));
    props.set("detail", F.objectNode().put("type", "string").put("description", "what was wrong, for a human"));
    props.set("instance", F.objectNode().put("type", "string"));
    ObjectNode schema = F.objectNode().put("type", "object").put("description", "RFC 9457 problem details");
    schema.set("properties", props);
    schema.set("required", F.arrayNode().add("type").add("title").add("status").add("detail"));
    return schema;
  }
}
