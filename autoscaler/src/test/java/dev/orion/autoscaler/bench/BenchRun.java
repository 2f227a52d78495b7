package dev.orion.autoscaler.bench;

import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.TestDb;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a bench against API processes starts from: the report it appends to (its first argument,
 * docs/benchmarks.md by default), when it started, a fresh database, a directory of its own under
 * autoscaler/target and the API processes' environment on that database.
 */
record BenchRun(Path report, Instant started, DbConfig db, Path home, ApiProcesses api) {
  /** Starts the database; {@code name} names the directory, {@code connections} the database's pool. */
  static BenchRun start(String[] args, String name, int connections) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    DbConfig db = TestDb.freshConfig(connections);
    Path home = Path.of("autoscaler/target/" + name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
    return new BenchRun(report, started, db, home, new ApiProcesses(db, home));
  }

  /** Argument {@code i} as a whole number, or {@code otherwise} when there are fewer arguments. */
  static int intArg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }
}
