package dev.orion.api.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.orion.api.auth.AgentCredential;
import dev.orion.api.auth.NodeTokens;
import dev.orion.api.auth.Principal;
import dev.orion.api.http.Json;
import dev.orion.api.http.RenderedJson;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.node.NodeStatus;
import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.HostKeys;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import java.nio.charset.StandardCharsets;
import dev.orion.api.load.LoadService;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
  private final WorkerOps ops;
  private final LoadService load;
  /**
   * Node ids by token hash, for folding load in without a look-up per heartbeat. A hash names one
   * node for good (a new token is a new random hash), so an entry is never wrong, only unused.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> nodeIds = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_REMEMBERED_NODE_IDS = 100_000;
  private final Clock clock;

  /**
   * @param ops how a node's new address is checked before it is taken (a probe over SSH that
   *     verifies the pinned host key), and told when a node is forgotten
   */
  public NodeService(Jdbi jdbi, WorkerOps ops, NodeList nodeList, LoadService load,
      Clock clock) {
    this.jdbi = jdbi;
    this.load = load;
    this.nodeList = nodeList;
    this.ops = ops;
    this.clock = clock;
  }

  /** A registration's outcome; {@code nodeToken} is set only when a token was issued just now. */
  public record Registered(long nodeId, boolean created, String nodeToken) {}

  /**
   * Records an agent's heartbeat. The node is found by its token's hash, in the same statement
   * that writes the heartbeat, so a valid heartbeat costs one indexed UPDATE; only a refused one
   * looks further to say why.
   */
  public void heartbeat(String tokenHash, NodeRequests.Heartbeat req) {
    req.validate();
    Instant now = clock.instant();
    int updated = jdbi.withExtension(NodeDao.class,
        d -> d.heartbeat(tokenHash, req.hostname(), req.cpuPercent(), req.memPercent(), now));
    if (updated == 1 && req.cpuPercent() != null && req.memPercent() != null) {
      // After the node's row is written and unlocked, so rents never skip a node (SKIP LOCKED)
      // while its load is being folded in.
      Long id = nodeIds.get(tokenHash);
      if (id == null) {
        id = jdbi.withExtension(NodeDao.class, d -> d.idByTokenHash(tokenHash)).orElse(null);
        if (id != null) {
          if (nodeIds.size() >= MAX_REMEMBERED_NODE_IDS) {
            nodeIds.clear();
          }
          nodeIds.put(tokenHash, id);
        }
      }
      if (id != null) {
        load.submit(id, req.cpuPercent(), req.memPercent(), req.loadSource(), now);
      }
    }
    if (updated == 0) {
      NodeDao.NodeRow node = jdbi.withExtension(NodeDao.class, d -> d.findByTokenHash(tokenHash))
          .orElseThrow(() -> OrionException.unauthorized("unknown node token"));
      requireNotForgotten(node);
      throw OrionException.conflict("this node token belongs to '" + node.hostname() + "', not '" + req.hostname() + "'");
    }
  }

  public Registered register(AgentCredential credential, NodeRequests.Register req) {
    req.validate();
    String labels = new String(Json.bytes(req.labels() == null ? Map.of() : req.labels()), StandardCharsets.UTF_8);
    NodeDao.Registration r = new NodeDao.Registration(req.hostname(), req.ip(), req.sshPort(), req.hostKey().trim(),
        HostKeys.fingerprint(req.hostKey()), req.pool() == null ? "default" : req.pool(), labels, clock.instant());
    return credential instanceof AgentCredential.NodeToken t ? reregister(t.hash(), r) : enroll(r);
  }

  /**
   * A first registration with the enrollment token: a new node and its token. A hostname that is
   * already registered is refused, whatever else the request says: anyone holding the shared token
   * and the host's public key (ssh-keyscan gives it), and perhaps its address from an old lease,
   * could otherwise re-point the node or take its token. A node without a token of its own (from
   * before node tokens) is forgotten by an admin and enrolls anew.
   */
  private Registered enroll(NodeDao.Registration r) {
    String token = NodeTokens.generate();
    String hash = NodeTokens.hash(token);
    // Insert first, without a locking read before it: SELECT ... FOR UPDATE on a hostname that
    // does not exist yet takes a gap lock, and a storm of first registrations then deadlocks.
    if (jdbi.withExtension(NodeDao.class, d -> d.findByHostname(r.hostname())).isEmpty()) {
      try {
        long[] ids = jdbi.inTransaction(h -> {
          NodeDao dao = h.attach(NodeDao.class);
          Long forgotten = dao.lastForgotten(r.hostname()).orElse(null);
          long id = dao.insert(r, hash);
          EventLog.append(h, Event.node(id, r.now(), agentActor(r.hostname()), null, NodeStatus.ALIVE.db(),
              forgotten == null ? "enrolled with host key " + r.hostKeyFingerprint()
                  : "enrolled again as a new node (node " + forgotten + " of this hostname was forgotten) with host key "
                      + r.hostKeyFingerprint()));
          return new long[] {id, forgotten == null ? 0 : forgotten};
        });
        long id = ids[0];
        if (ids[1] != 0) {
          LOG.info("node {} ({}:{}) enrolled again as node {} with host key {}", ids[1], r.ip(), r.sshPort(), id,
              r.hostKeyFingerprint());
        } else {
          LOG.info("node {} ({}:{}) registered with host key {}", id, r.ip(), r.sshPort(), r.hostKeyFingerprint());
        }
        nodeList.invalidate();
        return new Registered(id, true, token);
      } catch (UnableToExecuteStatementException e) {
        if (!(e.getCause() instanceof java.sql.SQLIntegrityConstraintViolationException)) {
          throw e;
        }
        // Another registration of this hostname won the race: it is known now.
      }
    }
    NodeDao.NodeRow node = jdbi.withExtension(NodeDao.class, d -> d.findByHostname(r.hostname()))
        .orElseThrow(() -> OrionException.conflict("node '" + r.hostname() + "' was forgotten while registering;"
            + " register again"));
    throw OrionException.conflict("'" + r.hostname() + "' is already registered as node " + node.id()
        + "; its agent re-registers with its node token (an admin can forget the node to enroll it anew)");
  }

  /**
   * A registration with a node token: the same node again, possibly at a new address (a restarted
   * container, a new port). The new address is taken only after the API has connected to it and
   * seen the pinned host key, so a token alone cannot point a node, and its leases, elsewhere.
   */
  private Registered reregister(String tokenHash, NodeDao.Registration r) {
    NodeDao.NodeRow known = jdbi.withExtension(NodeDao.class, d -> d.findByTokenHash(tokenHash))
        .orElseThrow(() -> OrionException.unauthorized("unknown node token"));
    requireNotForgotten(known);
    check(known, r);
    boolean moves = !known.ip().equals(r.ip()) || known.sshPort() != r.sshPort();
    if (moves) {
      try {
        ops.probe(new WorkerEndpoint(known.id(), r.ip(), r.sshPort(), known.hostKey()));
      } catch (WorkerException e) {
        // The reason stays in the log: echoed, it would make re-registration a scanner of the
        // API's network (refused, timed out, wrong key) for anyone holding a node token.
        LOG.info("node {} not moved to {}:{}: {}", known.id(), r.ip(), r.sshPort(), e.getMessage());
        throw OrionException.conflict("node " + known.id() + " cannot move to " + r.ip() + ":" + r.sshPort()
            + ": the API could not reach it there with the pinned host key");
      }
    }
    Registered done = jdbi.inTransaction(h -> {
      NodeDao dao = h.attach(NodeDao.class);
      NodeDao.NodeRow node = dao.lock(known.id()).filter(n -> tokenHash.equals(n.tokenHash()))
          .orElseThrow(() -> OrionException.unauthorized("unknown node token"));
      requireNotForgotten(node); // forgotten while its new address was being checked
      check(node, r);
      boolean verified = !moves || (node.ip().equals(known.ip()) && node.sshPort() == known.sshPort());
      if (!verified && !(node.ip().equals(r.ip()) && node.sshPort() == r.sshPort())) {
        throw OrionException.conflict("node " + node.id() + " moved while registering; register again");
      }
      dao.refresh(node.id(), r);
      return new Registered(node.id(), false, null);
    });
    if (moves) {
      LOG.info("node {} moved from {}:{} to {}:{} (pinned host key seen there)", known.id(), known.ip(),
          known.sshPort(), r.ip(), r.sshPort());
    }
    nodeList.invalidate();
    return done;
  }

  private static void check(NodeDao.NodeRow node, NodeDao.Registration r) {
    if (!node.hostname().equals(r.hostname())) {
      throw OrionException.conflict("this node token belongs to '" + node.hostname() + "', not '" + r.hostname() + "'");
    }
    if (!node.hostKeyFingerprint().equals(r.hostKeyFingerprint())) {
      throw OrionException.conflict("host key " + r.hostKeyFingerprint() + " differs from the key pinned for '"
          + r.hostname() + "' (" + node.hostKeyFingerprint() + "); an admin must forget node " + node.id()
          + " before it can register again");
    }
  }

  /** The node list as a JSON array of {@link NodeViews.Node}, as {@code caller} may see it. */
  public RenderedJson list(Principal caller) {
    return nodeList.json(caller);
  }

  /**
   * Forgets a node: its row stays, {@code forgotten}, as the history of the leases it held (their
   * host, address and pinned key), hidden from the list and out of every scheduler queue. Its
   * agent is answered 410 and enrolls again as a new node, with a new token and its host key
   * pinned anew. A node that holds a lease (live on it, or reserved for one moving onto it) is
   * refused with 409 naming the lease: forgetting it would strand a client on a machine nobody
   * watches, so the operator releases the lease first (or lets it end).
   */
  public void forget(Principal admin, long nodeId) {
    Instant now = clock.instant();
    String from = jdbi.inTransaction(h -> {
      NodeDao dao = h.attach(NodeDao.class);
      NodeDao.NodeRow node = dao.lock(nodeId).filter(n -> !NodeStatus.FORGOTTEN.db().equals(n.status()))
          .orElseThrow(() -> OrionException.notFound("node " + nodeId + " does not exist"));
      if (node.allocated()) {
        List<Long> leases = dao.leasesHolding(nodeId);
        throw OrionException.conflict(leases.isEmpty()
            ? "node " + nodeId + " is allocated; try again once its lease has ended"
            : "node " + nodeId + " holds lease" + (leases.size() == 1 ? " " : "s ")
                + leases.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + "; release " + (leases.size() == 1 ? "it" : "them") + " first (POST /api/release/{rental_id})");
      }
      dao.forget(nodeId, now);
      EventLog.append(h, Event.node(nodeId, now, admin.actor(), node.status(), NodeStatus.FORGOTTEN.db(),
          "forgotten by an admin (host key " + node.hostKeyFingerprint() + " unpinned)"));
      return node.status();
    });
    nodeList.invalidate();
    ops.forget(nodeId);
    LOG.info("node {} {}->forgotten by {}", nodeId, from, admin.actor());
  }

  /** A forgotten node's token is gone for good: its agent must enroll again, not retry. */
  private static void requireNotForgotten(NodeDao.NodeRow node) {
    if (NodeStatus.FORGOTTEN.db().equals(node.status())) {
      throw OrionException.gone("node " + node.id() + " ('" + node.hostname() + "') was forgotten by an admin;"
          + " its token is void: enroll again with the enrollment token (it becomes a new node)");
    }
  }

  /** Who enrolled a node, as the event log records it (its column holds 64 characters). */
  private static String agentActor(String hostname) {
    String actor = "agent:" + hostname;
    return actor.length() > 64 ? actor.substring(0, 64) : actor;
  }

  static Map<String, String> labels(String json) {
    try {
      return Json.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }
}
