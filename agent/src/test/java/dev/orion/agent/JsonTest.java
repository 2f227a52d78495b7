package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesWhatJsonRequires() {
    assertEquals("\"plain\"", Json.string("plain"));
    assertEquals("\"a\\\"b\\\\c\"", Json.string("a\"b\\c"));
    assertEquals("\"\\n\\r\\t\\b\\f\\u0001\\u001f\"", Json.string("\n\r\t\b\f\u0001\u001f"));
    assertEquals("\"ünï €\"", Json.string("ünï €"));
    assertEquals("\"\\u2028\"", Json.string("\u2028"));
    assertEquals("null", Json.string(null));
  }

  @Test
  void writesFlatObjects() {
    Map<String, String> m = new LinkedHashMap<>();
    assertEquals("{}", Json.object(m));
    m.put("zone", "eu-1");
    m.put("gpu", "a\"b");
    assertEquals("{\"zone\":\"eu-1\",\"gpu\":\"a\\\"b\"}", Json.object(m));
  }

  @Test
  void readsATopLevelIntegerAndIsNotFooledByStringsOrNesting() {
    assertEquals(42L, Json.topLevelLong("{\"message\":\"Worker registered\",\"node_id\":42}", "node_id"));
    assertEquals(7L, Json.topLevelLong(" { \"node_id\" : 7 } ", "node_id"));
    assertEquals(3L, Json.topLevelLong(
        "{\"message\":\"\\\"node_id\\\":99\",\"x\":{\"node_id\":98},\"a\":[1,{\"node_id\":97}],\"node_id\":3}", "node_id"));
    assertEquals(5L, Json.topLevelLong("{\"ok\":true,\"n\":null,\"f\":1.5e3,\"node_id\":5}", "node_id"));
    assertNull(Json.topLevelLong("{\"message\":\"no id\"}", "node_id"));
    assertNull(Json.topLevelLong("{}", "node_id"));
  }

  @Test
  void rejectsWhatIsNotAnObjectWithAnInteger() {
    assertThrows(IllegalArgumentException.class, () -> Json.topLevelLong("[1]", "node_id"));
    assertThrows(IllegalArgumentException.class, () -> Json.topLevelLong("{\"node_id\":\"4\"}", "node_id"));
    assertThrows(IllegalArgumentException.class, () -> Json.topLevelLong("{\"node_id\":4.5}", "node_id"));
    assertThrows(IllegalArgumentException.class, () -> Json.topLevelLong("{\"a\":1", "node_id"));
    assertThrows(IllegalArgumentException.class, () -> Json.topLevelLong("", "node_id"));
  }
}
