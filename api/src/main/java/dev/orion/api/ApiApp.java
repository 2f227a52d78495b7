package dev.orion.api;

import dev.orion.api.alert.AlertHandlers;
import dev.orion.api.alert.AlertService;
import dev.orion.api.auth.AccountService;
import dev.orion.api.auth.AuthHandlers;
import dev.orion.api.auth.Guard;
import dev.orion.api.auth.LoginThrottle;
import dev.orion.api.auth.Sessions;
import dev.orion.api.auth.Tokens;
import dev.orion.api.console.ConsoleHandlers;
import dev.orion.api.event.EventHandlers;
import dev.orion.api.event.EventHub;
import dev.orion.api.http.HttpServer;
import dev.orion.api.job.JobHandlers;
import dev.orion.api.job.JobService;
import dev.orion.api.job.ScheduledHandlers;
import dev.orion.api.job.ScheduledService;
import dev.orion.api.load.LoadService;
import dev.orion.api.node.NodeHandlers;
import dev.orion.api.node.NodeList;
import dev.orion.api.node.NodeService;
import dev.orion.api.ops.FleetMetrics;
import dev.orion.api.ops.OpsHandlers;
import dev.orion.api.ops.Startup;
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
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.worker.SshWorkerOps;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The API wired together: database, SSH, services and the HTTP server.
 *
 * <p>Starting is two steps: {@link #open} starts serving at once (nothing in the wiring touches the
 * database), then {@link #awaitDatabase} migrates or validates the schema and ensures the admin
 * account, waiting for an unreachable database with back-off ({@link Startup}); until then
 * {@code /api/ready} and every other API route answer 503.
 */
public final class ApiApp implements AutoCloseable {
  /** First pause after a failed attempt to reach the database at start; it doubles from there. */
  public static final Duration STARTUP_RETRY_BASE = Duration.ofMillis(500);
  /** Longest pause between two attempts to reach the database at start. */
  public static final Duration STARTUP_RETRY_CAP = Duration.ofSeconds(5);

  private final ApiConfig config;
  private final Database db;
  private final AccountService accounts;
  private final Startup startup;
  private final SshWorkerOps workers;
  private final Provisioner provisioner;
  private final Javalin http;
  private final MetricsServer metricsServer;
  private final LoadService load;
  private final EventHub events;

  private ApiApp(ApiConfig config, Database db, AccountService accounts, Startup startup,
      SshWorkerOps workers, Provisioner provisioner, Javalin http, MetricsServer metricsServer,
      LoadService load, EventHub events) {
    this.load = load;
    this.events = events;
    this.config = config;
    this.db = db;
    this.accounts = accounts;
    this.startup = startup;
    this.workers = workers;
    this.provisioner = provisioner;
    this.http = http;
    this.metricsServer = metricsServer;
  }

  /** Opens the server and returns once the database steps are done (tests, and callers that must not serve 503). */
  public static ApiApp start(ApiConfig config, Clock clock) {
    ApiApp app = open(config, clock);
    try {
      if (!app.awaitDatabase()) {
        throw new IllegalStateException("closed while waiting for the database");
      }
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    return app;
  }

  /** Starts serving without touching the database; call {@link #awaitDatabase} next. */
  public static ApiApp open(ApiConfig config, Clock clock) {
    Database db = Database.connect(config.db());
    Startup startup = new Startup(STARTUP_RETRY_BASE, STARTUP_RETRY_CAP);
    Tokens tokens = new Tokens(config.jwtSecret(), config.jwtTtl(), clock);
    Limits limits = config.limits();
    AccountService accounts = new AccountService(db.jdbi(), tokens, clock, limits.signupOpen(),
        new LoginThrottle(limits.loginFailures(), limits.loginWindow(), limits.loginBackoffMax()));
    // One persistent admin connection per worker, shared by rents and registration probes.
    SshWorkerOps workers = new SshWorkerOps(new WorkerConnections(config.ssh()));
    Provisioner provisioner = new Provisioner(workers, config.provisionParallelism());
    Sessions sessions = new Sessions(db.jdbi());
    Guard guard = new Guard(tokens, sessions, config.agentToken(), config.web().publicOrigin());
    NodeList nodeList = NodeList.of(db.jdbi(), config.nodeListMaxAge());
    PoolService pools = new PoolService(db.jdbi(), config.pools().protectedPools(), config.pools().defaultDriver(),
        clock);
    PrometheusMeterRegistry metrics = Metrics.registry();
    FleetMetrics.register(metrics, db.jdbi(), clock);
    LoadService load = new LoadService(db.jdbi(), config.load(), true);
    EventHub events = new EventHub(db.jdbi(), config.web(), metrics, sessions, clock);
    Javalin http = HttpServer.create(metrics,
        new AuthHandlers(accounts, guard),
        new NodeHandlers(new NodeService(db.jdbi(), workers, nodeList,
            load, clock), guard),
        new RentalHandlers(new RentalService(db.jdbi(), provisioner, clock, nodeList::invalidate, limits,
            pools::describeSleeping, config.load().placement(), config.rescueAfter()), guard, metrics),
        new ScheduleHandlers(new ScheduleService(db.jdbi(), config.pools().protectedPools(), clock), guard),
        new PoolHandlers(pools, guard),
        new JobHandlers(new JobService(db.jdbi(), clock), guard),
        new ScheduledHandlers(new ScheduledService(db.jdbi(), clock), guard),
        new AlertHandlers(new AlertService(db.jdbi(), config.alerts().classByAlert(), clock), config.alerts()),
        new OpsHandlers(db, startup),
        new EventHandlers(events, guard),
        new ConsoleHandlers());
    // Metrics get a listener of their own: the API's port is what the edge forwards to.
    MetricsServer metricsServer = MetricsServer.start(config.metrics(), metrics);
    try {
      http.start(config.httpHost(), config.httpPort());
    } catch (RuntimeException e) {
      metricsServer.close();
      events.close();
      load.close();
      db.close();
      throw e;
    }
    return new ApiApp(config, db, accounts, startup, workers, provisioner, http, metricsServer, load, events);
  }

  /**
   * Migrates (or validates) the schema and ensures the admin account, waiting with back-off while
   * the database is unreachable. Returns true once the replica serves every route, false when it
   * was closed meanwhile; throws on any other failure (a configuration error).
   */
  public boolean awaitDatabase() {
    return startup.run(() -> {
      if (config.migrate()) {
        db.migrate();
      } else {
        db.validate();
      }
      if (config.adminUsername().isPresent()) {
        accounts.ensureAdmin(config.adminUsername().get(), config.adminPassword().orElseThrow());
      }
    });
  }

  /** Attempts {@link #awaitDatabase} made to reach the database (1 when it answered at once). */
  public int startupAttempts() {
    return startup.attempts();
  }

  /** Open event streams on this replica. */
  public int openEventStreams() {
    return events.open();
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
    startup.stop();
    // Open event streams end first, so stopping the server waits on none; clients resume elsewhere.
    events.close();
    http.stop();
    metricsServer.close();
    load.close(); // folds what heartbeats queued before the database goes
    provisioner.close();
    workers.close();
    db.close();
  }
}
