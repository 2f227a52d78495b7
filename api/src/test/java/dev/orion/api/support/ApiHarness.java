package dev.orion.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.agent.AgentConfig;
import dev.orion.agent.Registrar;
import dev.orion.api.ApiApp;
import dev.orion.api.ApiConfig;
import dev.orion.api.Limits;
import dev.orion.api.alert.AlertConfig;
import dev.orion.api.http.WebConfig;
import dev.orion.api.load.LoadConfig;
import dev.orion.api.pool.PoolsConfig;
import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.event.EventLog;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A real API server on a free port over a fresh real database, plus a client for it. */
public final class ApiHarness implements AutoCloseable {
  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-1";
  public static final String AGENT_TOKEN = "agent-token-0123456789";
  public static final String ALERT_TOKEN = "alert-token-0123456789";
  /** Named in ORION_PROTECTED_POOLS of every test API. */
  public static final String PROTECTED_POOL = "system";
  public static final String JWT_SECRET = "test-secret-0123456789-0123456789-abcdef";
  private static final AtomicInteger USERS = new AtomicInteger();

  public final ApiApp app;
  public final Http http;
  public final Database db;
  public final DbConfig dbConfig;
  private final ApiConfig config;
  private final Clock clock;

  private ApiHarness(ApiApp app, Database db, DbConfig dbConfig, ApiConfig config, Clock clock) {
    this.app = app;
    this.db = db;
    this.dbConfig = dbConfig;
    this.config = config;
    this.clock = clock;
    this.http = new Http(url());
  }

  /** A second API replica on the same database (its own port), as the edge would balance over. */
  public ApiApp replica() {
    return ApiApp.start(config, clock);
  }

  public static ApiHarness start() {
    return start(Clock.systemUTC());
  }

  public static ApiHarness start(Clock clock) {
    return start(clock, Limits.defaults());
  }

  public static ApiHarness start(Limits limits) {
    return start(Clock.systemUTC(), limits);
  }

  public static ApiHarness start(Clock clock, Limits limits) {
    return start(clock, limits, LoadConfig.defaults(), "127.0.0.1");
  }

  /**
   * With load settings of its own, listening on {@code host} ({@code 0.0.0.0} for agents inside
   * sandbox workers, which reach the host through their gateway once the port is allowed).
   */
  public static ApiHarness start(Clock clock, Limits limits, LoadConfig load, String host) {
    return start(clock, limits, load, host, WebConfig.defaults());
  }

  /** With browser and event-stream settings of its own (a short keep-alive, a small client queue). */
  public static ApiHarness start(WebConfig web) {
    return start(Clock.systemUTC(), Limits.defaults(), LoadConfig.defaults(), "127.0.0.1", web);
  }

  public static ApiHarness start(Clock clock, Limits limits, LoadConfig load, String host, WebConfig web) {
    DbConfig dbc = TestDb.freshConfig(40);
    ApiConfig cfg = new ApiConfig(host, 0, JWT_SECRET, Duration.ofHours(1), AGENT_TOKEN,
        Optional.of(ADMIN), Optional.of(ADMIN_PASSWORD), false, 32, Duration.ofMillis(500), new PoolsConfig(Set.of(PROTECTED_POOL), "none"),
        load, dbc,
        TestSsh.config(), dev.orion.common.lease.RescueBound.DEFAULT, MetricsConfig.ephemeral(),
        new AlertConfig(Optional.of(ALERT_TOKEN), AlertConfig.classMap(AlertConfig.DEFAULT_CLASS_MAP), 4 * 1024 * 1024), limits, web);
    return new ApiHarness(ApiApp.start(cfg, clock), Database.connect(dbc), dbc, cfg, clock);
  }

  /** The replica's internal metrics listener, which no proxy forwards to. */
  public String metricsUrl() {
    return "http://127.0.0.1:" + app.metricsPort();
  }

  public String url() {
    return "http://127.0.0.1:" + app.port();
  }

  /** Signs up a new account with a unique name and returns its token. */
  public String newUser(String prefix) {
    String name = prefix + USERS.incrementAndGet();
    Http.Response r = http.post("/api/signup", null, Http.json(Map.of("username", name, "password", "password-" + name)));
    assertEquals(201, r.status(), r.body());
    return login(name, "password-" + name);
  }

  public String login(String username, String password) {
    Http.Response r = http.post("/api/login", null, Http.json(Map.of("username", username, "password", password)));
    assertEquals(200, r.status(), r.body());
    return r.json().get("token").asText();
  }

  /** The account id behind a token. */
  public long userId(String token) {
    String name = com.auth0.jwt.JWT.decode(token).getSubject();
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM users WHERE username = :u").bind("u", name)
        .mapTo(Long.class).one());
  }

  public String adminToken() {
    return login(ADMIN, ADMIN_PASSWORD);
  }

  /**
   * Registers a sandbox worker through the agent's own registration code and scrubs it, as the
   * schedulers would before anyone can rent it; returns the node id. The agent keeps its node
   * token in the worker's state directory, as a real one would.
   */
  public long register(SandboxWorker w) {
    long id = enrollAgent(w);
    scrub(id, w);
    return id;
  }

  /** Registers a sandbox worker through the agent's own registration code; the node stays unclean. */
  public long enrollAgent(SandboxWorker w) {
    AgentConfig cfg = agentConfig(w);
    try {
      return new Registrar(HttpClient.newHttpClient(), cfg).register();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (dev.orion.agent.Refused e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /**
   * What the schedulers' scrub loop does to an unclean node, for tests that run no scheduler: over
   * SSH with the admin key, delete every client user on the worker, then mark the node clean.
   */
  public void scrub(long nodeId, SandboxWorker w) {
    WorkerEndpoint e = w.endpoint(nodeId);
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      SshWorkerOps ops = new SshWorkerOps(c);
      for (String user : ops.listAccounts(e)) {
        ops.deleteAccount(e, user);
      }
    } catch (WorkerException ex) {
      throw new AssertionError("scrubbing node " + nodeId + " failed", ex);
    }
    markScrubbed(nodeId);
  }

  /**
   * The scrub's last step alone, for a node with no worker behind it (a made-up host key and
   * port): there is nothing to delete, and a new node is rentable only once marked clean.
   */
  public void markScrubbed(long nodeId) {
    assertEquals(1, (int) db.jdbi().withExtension(NodeCleanliness.class, d -> d.markClean(nodeId,
        d.epochs(java.util.List.of(nodeId)).get(nodeId), java.time.Instant.now())),
        "node " + nodeId + " was unclean and free");
  }

  /** The configuration of {@code w}'s agent against this API; its state lives in the worker's directory. */
  public AgentConfig agentConfig(SandboxWorker w) {
    return AgentConfig.from(Map.of(
        "API_ENDPOINT", url(),
        "ORION_AGENT_TOKEN", AGENT_TOKEN,
        "MY_HOST_IP", w.ip(),
        "MY_HOST_PORT", Integer.toString(w.port()),
        "MY_HOSTNAME", w.name(),
        "ORION_HOST_KEY_FILE", w.hostKeyFile().toString(),
        "ORION_AGENT_STATE_DIR", w.dir().resolve("agent-" + app.port()).toString()));
  }

  /** Registers a worker with a raw request, as an agent would; returns the node id. */
  public long register(String hostname, int sshPort, String hostKey) {
    return enroll(hostname, sshPort, hostKey).nodeId();
  }

  /** A node's id and the token its first registration answered. */
  public record Enrolled(long nodeId, String nodeToken) {}

  /** A first registration with the enrollment token, as an agent's first start makes it. */
  public Enrolled enroll(String hostname, int sshPort, String hostKey) {
    Http.Response r = http.post("/api/workers/register", AGENT_TOKEN, Http.json(Map.of(
        "hostname", hostname, "ip", "127.0.0.1", "ssh_port", sshPort, "host_key", hostKey)));
    if (r.status() != 201) {
      throw new AssertionError("registration failed: " + r);
    }
    return new Enrolled(r.json().get("node_id").asLong(), r.json().get("node_token").asText());
  }

  /** A digest of every table the API writes, to prove a refused request changed nothing. */
  public String snapshot() {
    // Every replica's event reader gives committed events their ids in the background; publish
    // first, so the digest changes only when a request wrote something.
    EventLog.publish(db.jdbi());
    return db.jdbi().withHandle(h -> {
      StringBuilder sb = new StringBuilder();
      for (String t : new String[] {"users", "nodes", "rentals", "events", "event_sequence", "pool_schedules", "pools", "pool_webhooks",
          "pool_overrides", "node_alert_classes", "jobs", "job_attempts", "scheduled_jobs"}) {
        sb.append(t).append('=').append(h.createQuery("CHECKSUM TABLE " + t).mapToMap().one().get("checksum"))
            .append(';');
      }
      return sb.toString();
    });
  }

  @Override
  public void close() {
    app.close();
    db.close();
  }
}
