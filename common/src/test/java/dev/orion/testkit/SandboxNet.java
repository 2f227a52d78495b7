package dev.orion.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens host ports to sandbox workers for the length of a test. The host drops everything a
 * worker sends it except the edge's ports ({@code sandbox/net.sh}: {@code table inet orion},
 * set {@code edge_ports}); a test whose in-process server plays the edge on a free port adds that
 * port here and takes it out again on close. Only the set's elements change: other test JVMs'
 * ports and the rules stay.
 */
public final class SandboxNet implements AutoCloseable {
  private final List<String> ports;

  private SandboxNet(List<String> ports) {
    this.ports = ports;
  }

  /** Lets every sandbox worker reach these host ports until {@link #close()}. */
  public static SandboxNet allow(int... ports) {
    List<String> args = new ArrayList<>(List.of("bash", script().toString(), "allow"));
    List<String> list = Arrays.stream(ports).mapToObj(Integer::toString).toList();
    args.addAll(list);
    try {
      Processes.run(Duration.ofSeconds(20), args.toArray(String[]::new));
    } catch (IOException e) {
      throw new IllegalStateException("cannot open ports " + list + " to sandbox workers: " + e.getMessage(), e);
    }
    return new SandboxNet(list);
  }

  @Override
  public void close() {
    List<String> args = new ArrayList<>(List.of("bash", script().toString(), "disallow"));
    args.addAll(ports);
    try {
      Processes.run(Duration.ofSeconds(20), args.toArray(String[]::new));
    } catch (IOException e) {
      throw new IllegalStateException("cannot close ports " + ports + " to sandbox workers: " + e.getMessage(), e);
    }
  }

  /** {@code sandbox/net.sh} of this checkout. */
  public static Path script() {
    return SandboxWorker.script().resolveSibling("net.sh");
  }
}
