package dev.orion.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.openapi.plugin.DefinitionProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The schema generator names properties after Java record components; the API speaks snake_case
 * (see {@link Json}). This renames schema properties the same way Jackson does on the wire.
 */
final class OpenApiSnakeCase implements DefinitionProcessor {
  @Override
  public String process(ObjectNode document) {
    JsonNode schemas = document.path("components").path("schemas");
    schemas.forEach(schema -> {
      if (schema.get("properties") instanceof ObjectNode props) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        props.fields().forEachRemaining(entries::add);
        props.removeAll();
        entries.forEach(e -> props.set(snake(e.getKey()), e.getValue()));
      }
      if (schema.get("required") instanceof ArrayNode required) {
        List<String> names = new ArrayList<>();
        required.forEach(n -> names.add(snake(n.asText())));
        required.removeAll();
        names.forEach(required::add);
      }
    });
    return document.toPrettyString();
  }

  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }
}
