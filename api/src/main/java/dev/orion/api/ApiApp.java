package dev.orion.api;

import dev.orion.api.alert.AlertHandlers;
import dev.orion.api.alert.AlertService;
import dev.orion.api.auth.AccountService;
import dev.orion.api.auth.AuthHandlers;
import dev.orion.api.auth.Guard;
import dev.orion.api.auth.LoginThrottle;
import dev.orion.api.auth.Sessions;
import dev.orion.api.auth.Tokens;
import dev.orion.api.http.HttpServer;
import dev.orion.api.load.LoadService;
import dev.orion.api.node.NodeHandlers;
import dev.orion.api.node.NodeList;
import dev.orion.api.node.NodeService;
import dev.orion.api.ops.FleetMetrics;
import dev.orion.api.ops.OpsHandlers;
import dev.orion.api.pool.PoolHandlers;
import dev.orion.api.pool.PoolService;
import dev.orion.api.pool.ScheduleHandlers;
import dev.orion.api.pool.ScheduleService;
import dev.orion.api.rental.Provisioner;
import dev.orion.api.rental.RentalHandlers;
import dev.orion.api.rental.RentalService;
import dev.orion.common.db.Database;
import dev.orion.common.metrics.Metrics;
import dev.orion.common.metrics.MetricsServer;
import dev.orion.common.ssh.SshWorkerOps;
import dev.orion.common.ssh.WorkerConnections;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/** The API wired together: database, SSH, services and the HTTP server. */
public final class ApiApp implements AutoCloseable {
  private final Database db;
  private final WorkerConnections connections;
  private final Provisioner provisioner;
  private final Javalin http;
  private final MetricsServer metricsServer;

  private ApiApp(Database db, WorkerConnections connections, Provisioner provisioner, Javalin http,
      MetricsServer metricsServer) {
    this.db = db;
    this.connections = connections;
    this.provisioner = provisioner;
    this.http = http;
    this.metricsServer = metricsServer;
  }

  public static ApiApp start(ApiConfig config, Clock clock) {
    Database db = Database.connect(config.db());
    if (config.migrate()) {
      db.migrate();
    } else {
      db.validate();
    }
    Tokens tokens = new Tokens(config.jwtSecret(), config.jwtTtl(), clock);
    Limits limits = config.limits();
    AccountService accounts = new AccountService(db.jdbi(), tokens, clock, limits.signupOpen(),
        new LoginThrottle(limits.loginFailures(), limits.loginWindow(), limits.loginBackoffMax()));
    if (config.adminUsername().isPresent()) {
      accounts.ensureAdmin(config.adminUsername().get(), config.adminPassword().orElseThrow());
    }
    WorkerConnections connections = new WorkerConnections(config.ssh());
    Provisioner provisioner = new Provisioner(new SshWorkerOps(connections), config.provisionParallelism());
    Guard guard = new Guard(tokens, new Sessions(db.jdbi()), config.agentToken());
    NodeList nodeList = NodeList.of(db.jdbi(), config.nodeListMaxAge());
    PrometheusMeterRegistry metrics = Metrics.registry();
    FleetMetrics.register(metrics, db.jdbi(), clock);
    Javalin http = HttpServer.create(metrics,
        new AuthHandlers(accounts, guard),
        new NodeHandlers(new NodeService(db.jdbi(), connections, new SshWorkerOps(connections), nodeList,
            new LoadService(db.jdbi(), config.load()), clock), guard),
        new RentalHandlers(new RentalService(db.jdbi(), provisioner, clock, nodeList::invalidate, limits), guard,
            metrics),
        new ScheduleHandlers(new ScheduleService(db.jdbi(), config.pools().protectedPools(), clock), guard),
        new PoolHandlers(new PoolService(db.jdbi(), config.pools().protectedPools(),
            config.pools().defaultDriver(), clock), guard),
        new AlertHandlers(new AlertService(db.jdbi(), config.alerts().classByAlert(), clock), config.alerts()),
        new OpsHandlers(db));
    // Metrics get a listener of their own: the API's port is what the edge forwards to.
    MetricsServer metricsServer = MetricsServer.start(config.metrics(), metrics);
    try {
      http.start(config.httpHost(), config.httpPort());
    } catch (RuntimeException e) {
      metricsServer.close();
      throw e;
    }
    return new ApiApp(db, connections, provisioner, http, metricsServer);
  }

  public int port() {
    return http.port();
  }

  /** The internal metrics listener's port ({@code /metrics}, {@code /health}). */
  public int metricsPort() {
    return metricsServer.port();
  }

  @Override
  public void close() {
    http.stop();
    metricsServer.close();
    provisioner.close();
    connections.close();
    db.close();
  }
}
