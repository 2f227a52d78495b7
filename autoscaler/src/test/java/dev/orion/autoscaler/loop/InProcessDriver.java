package dev.orion.autoscaler.loop;

import com.sun.net.httpserver.HttpServer;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.autoscaler.replica.ReplicaDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Replicas as real HTTP servers inside the test JVM, whose readiness and CPU the test sets. The
 * autoscaler probes them and Caddy proxies to them for real; only starting a JVM is skipped, so
 * that the loop's rules can be stepped through tick by tick.
 */
final class InProcessDriver implements ReplicaDriver {
  static final class Instance {
    final Replica replica;
    final HttpServer server;
    volatile boolean ready;
    /** Not ready, but says it waits for its database (503 with Retry-After), like a starting API. */
    volatile boolean waitingForDatabase;
    volatile double cpu;

    Instance(Replica replica, HttpServer server) {
      this.replica = replica;
      this.server = server;
    }
  }

  final Map<String, Instance> instances = new ConcurrentHashMap<>();
  final List<Boolean> startedOwningSchema = new CopyOnWriteArrayList<>();
  final List<String> stopped = new CopyOnWriteArrayList<>();
  final List<String> cpuFailures = new CopyOnWriteArrayList<>();
  volatile Consumer<Replica> beforeStop = r -> {};

  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public List<Replica> list() {
    List<Replica> out = new ArrayList<>();
    instances.values().forEach(i -> out.add(i.replica));
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }

  @Override
  public OptionalDouble cpuPercent(Replica replica) {
    if (cpuFailures.contains(replica.id())) {
      throw new IllegalStateException("stats unavailable for " + replica.id());
    }
    Instance i = instances.get(replica.id());
    return i == null ? OptionalDouble.empty() : OptionalDouble.of(i.cpu);
  }

  @Override
  public Replica start(boolean ownsSchema) {
    startedOwningSchema.add(ownsSchema);
    return launch(true).replica;
  }

  /** A replica the autoscaler did not create, like the compose file's api container. */
  Instance launch(boolean managed) {
    try {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      int port = server.getAddress().getPort();
      Replica r = new Replica("api-" + port, "127.0.0.1:" + port, -1, managed);
      Instance inst = new Instance(r, server);
      server.createContext("/api/ready", ex -> {
        if (!inst.ready && inst.waitingForDatabase) {
          ex.getResponseHeaders().add("Retry-After", "5");
        }
        ex.sendResponseHeaders(inst.ready ? 200 : 503, -1);
        ex.close();
      });
      server.start();
      instances.put(r.id(), inst);
      return inst;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Instance get(Replica r) {
    return instances.get(r.id());
  }

  @Override
  public void stop(Replica replica) {
    beforeStop.accept(replica);
    Instance i = instances.remove(replica.id());
    if (i != null) {
      i.server.stop(0);
      stopped.add(replica.id());
    }
  }

  @Override
  public void close() {
    instances.values().forEach(i -> i.server.stop(0));
    instances.clear();
  }
}
