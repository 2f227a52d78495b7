package dev.orion.api.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.orion.api.auth.Principal;
import dev.orion.api.http.Json;
import dev.orion.api.http.RenderedJson;
import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.HostKeys;
import dev.orion.common.ssh.WorkerConnections;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Worker registration (with host-key pinning), the node list and forgetting a node. */
public final class NodeService {
  private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);
  private final Jdbi jdbi;
  private final NodeList nodeList;
  private final WorkerConnections connections;
  private final Clock clock;

  public NodeService(Jdbi jdbi, WorkerConnections connections, NodeList nodeList, Clock clock) {
    this.jdbi = jdbi;
    this.nodeList = nodeList;
    this.connections = connections;
    this.clock = clock;
  }

  public record Registered(long nodeId, boolean created) {}

  /** Records an agent's heartbeat; an unknown hostname must register first. */
  public void heartbeat(NodeRequests.Heartbeat req) {
    req.validate();
    int updated = jdbi.withExtension(NodeDao.class,
        d -> d.heartbeat(req.hostname(), req.cpuPercent(), req.memPercent(), clock.instant()));
    if (updated == 0) {
      throw OrionException.notFound("no registered worker has hostname " + req.hostname() + "; register first");
    }
  }

  public Registered register(NodeRequests.Register req) {
    req.validate();
    String labels = new String(Json.bytes(req.labels() == null ? Map.of() : req.labels()), StandardCharsets.UTF_8);
    NodeDao.Registration r = new NodeDao.Registration(req.hostname(), req.ip(), req.sshPort(), req.hostKey().trim(),
        HostKeys.fingerprint(req.hostKey()), req.pool() == null ? "default" : req.pool(), labels, clock.instant());
    // Insert first, without a locking read before it: SELECT ... FOR UPDATE on a hostname that
    // does not exist yet takes a gap lock, and a storm of first registrations then deadlocks.
    if (jdbi.withExtension(NodeDao.class, d -> d.findByHostname(r.hostname())).isEmpty()) {
      try {
        long id = jdbi.withExtension(NodeDao.class, d -> d.insert(r));
        LOG.info("node {} ({}:{}) registered with host key {}", id, r.ip(), r.sshPort(), r.hostKeyFingerprint());
        nodeList.invalidate();
        return new Registered(id, true);
      } catch (UnableToExecuteStatementException e) {
        if (!(e.getCause() instanceof java.sql.SQLIntegrityConstraintViolationException)) {
          throw e;
        }
        // Another registration of this hostname won the race; treat this one as a repeat.
      }
    }
    return jdbi.inTransaction(h -> {
      NodeDao dao = h.attach(NodeDao.class);
      NodeDao.NodeRow node = dao.lockByHostname(r.hostname()).orElseThrow(() -> OrionException.conflict(
          "node '" + r.hostname() + "' was forgotten while registering; register again"));
      if (!node.hostKeyFingerprint().equals(r.hostKeyFingerprint())) {
        throw OrionException.conflict("host key " + r.hostKeyFingerprint() + " differs from the key pinned for '"
            + r.hostname() + "' (" + node.hostKeyFingerprint() + "); an admin must forget node " + node.id()
            + " before it can register again");
      }
      dao.refresh(r);
      return new Registered(node.id(), false);
    });
  }

  /** The node list as a JSON array of {@link NodeViews.Node}, as {@code caller} may see it. */
  public RenderedJson list(Principal caller) {
    return nodeList.json(caller);
  }

  /** Removes a node and its pinned key, so the machine can register again with a new key. */
  public void forget(long nodeId) {
    jdbi.useTransaction(h -> {
      NodeDao dao = h.attach(NodeDao.class);
      dao.lock(nodeId).orElseThrow(() -> OrionException.notFound("node " + nodeId + " does not exist"));
      if (dao.liveLeases(nodeId) > 0) {
        throw OrionException.conflict("node " + nodeId + " holds a live lease; release it first");
      }
      dao.delete(nodeId);
    });
    nodeList.invalidate();
    connections.forget(nodeId);
    LOG.info("node {} forgotten", nodeId);
  }

  static Map<String, String> labels(String json) {
    try {
      return Json.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }
}
