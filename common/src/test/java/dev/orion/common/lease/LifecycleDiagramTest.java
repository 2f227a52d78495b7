package dev.orion.common.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orion.common.node.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The state diagrams in docs/architecture.md are the transition tables, edge for edge. */
class LifecycleDiagramTest {
  private static final Pattern EDGE = Pattern.compile("^\\s*(\\w+)\\s*-->\\s*(\\w+)\\s*(:.*)?$");

  @Test
  void leaseDiagramIsTheLeaseTable() throws IOException {
    Set<String> table = new TreeSet<>();
    for (LeaseStatus from : LeaseStatus.values()) {
      from.next().forEach(to -> table.add(from.db() + " -> " + to.db()));
    }
    assertEquals(table, diagram("lease"));
  }

  @Test
  void nodeDiagramIsTheNodeTable() throws IOException {
    Set<String> table = new TreeSet<>();
    for (NodeStatus from : NodeStatus.values()) {
      from.next().forEach(to -> table.add(from.db() + " -> " + to.db()));
    }
    assertEquals(table, diagram("node"));
  }

  @Test
  void illegalTransitionsFailLoudly() {
    assertThrows(IllegalStateException.class, () -> LeaseStatus.requireTransition("ended", "active"));
    assertThrows(IllegalStateException.class, () -> LeaseStatus.requireTransition("provisioning", "migrating"));
    assertThrows(IllegalStateException.class, () -> LeaseStatus.requireTransition(null, "active"));
    assertThrows(IllegalStateException.class, () -> LeaseStatus.requireTransition("ended", "ended"));
    assertThrows(IllegalArgumentException.class, () -> LeaseStatus.requireTransition("active", "paused"));
    assertThrows(IllegalStateException.class, () -> NodeStatus.requireTransition("dead", "suspect"));
    assertThrows(IllegalStateException.class, () -> NodeStatus.requireTransition("suspended", "dead"));
    assertThrows(IllegalStateException.class, () -> NodeStatus.requireTransition("forgotten", "alive"),
        "a forgotten machine comes back as a new node");
    LeaseStatus.requireTransition(null, "provisioning");
    LeaseStatus.requireTransition("active", "active"); // an extend: an event, no transition
    NodeStatus.requireTransition("dead", "dead");
  }

  /** Edges of the mermaid block marked {@code %% lifecycle: <name>}, without the start and end markers. */
  static Set<String> diagram(String name) throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "architecture.md"));
    int at = doc.indexOf("%% lifecycle: " + name);
    if (at < 0) {
      throw new AssertionError("docs/architecture.md has no '%% lifecycle: " + name + "' diagram");
    }
    String block = doc.substring(at, doc.indexOf("```", at));
    Set<String> edges = new TreeSet<>();
    for (String line : block.split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.matches()) {
        edges.add(m.group(1) + " -> " + m.group(2));
      }
    }
    return edges;
  }
}
