package dev.orion.api;

import dev.orion.api.auth.AccountService;
import dev.orion.api.auth.AuthHandlers;
import dev.orion.api.auth.Guard;
import dev.orion.api.auth.Tokens;
import dev.orion.api.http.HttpServer;
import dev.orion.api.node.NodeHandlers;
import dev.orion.api.node.NodeList;
import dev.orion.api.node.NodeService;
import dev.orion.api.ops.OpsHandlers;
import dev.orion.api.pool.ScheduleHandlers;
import dev.orion.api.pool.ScheduleService;
import dev.orion.api.rental.Provisioner;
import dev.orion.api.rental.RentalHandlers;
import dev.orion.api.rental.RentalService;
import dev.orion.common.db.Database;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.WorkerConnections;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/** The API wired together: database, SSH, services and the HTTP server. */
public final class ApiApp implements AutoCloseable {
  private final Database db;
  private final WorkerConnections connections;
  private final Provisioner provisioner;
  private final Javalin http;

  private ApiApp(Database db, WorkerConnections connections, Provisioner provisioner, Javalin http) {
    this.db = db;
    this.connections = connections;
    this.provisioner = provisioner;
    this.http = http;
  }

  public static ApiApp start(ApiConfig config, Clock clock) {
    Database db = Database.connect(config.db());
    if (config.migrate()) {
      db.migrate();
    } else {
      db.validate();
    }
    Tokens tokens = new Tokens(config.jwtSecret(), config.jwtTtl(), clock);
    AccountService accounts = new AccountService(db.jdbi(), tokens, clock);
    if (config.adminUsername().isPresent()) {
      accounts.ensureAdmin(config.adminUsername().get(), config.adminPassword().orElseThrow());
    }
    WorkerConnections connections = new WorkerConnections(config.ssh());
    Provisioner provisioner = new Provisioner(new ClientAccounts(connections), config.provisionParallelism());
    Guard guard = new Guard(tokens, config.agentToken());
    NodeList nodeList = NodeList.of(db.jdbi(), config.nodeListMaxAge());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Javalin http = HttpServer.create(metrics,
        new AuthHandlers(accounts),
        new NodeHandlers(new NodeService(db.jdbi(), connections, nodeList, clock), guard),
        new RentalHandlers(new RentalService(db.jdbi(), provisioner, clock, nodeList::invalidate), guard),
        new ScheduleHandlers(new ScheduleService(db.jdbi(), config.protectedPools(), clock), guard),
        new OpsHandlers(db, metrics));
    http.start(config.httpHost(), config.httpPort());
    return new ApiApp(db, connections, provisioner, http);
  }

  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.stop();
    provisioner.close();
    connections.close();
    db.close();
  }
}
