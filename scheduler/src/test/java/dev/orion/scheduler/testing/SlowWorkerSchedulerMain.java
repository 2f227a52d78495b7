package dev.orion.scheduler.testing;

import dev.orion.common.config.Env;
import dev.orion.common.db.Database;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.SchedulerConfig;
import dev.orion.testkit.RecordingWorkerOps;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A scheduler process whose workers answer slowly ({@code ORION_TEST_WORKER_DELAY}) and each hold
 * one leftover client account: the real claim machinery with work that takes as long as a test
 * needs, so the test can pause the process (SIGSTOP) while it is provably inside its work.
 */
public final class SlowWorkerSchedulerMain {
  private SlowWorkerSchedulerMain() {}

  public static void main(String[] args) throws Exception {
    Env env = Env.system();
    SchedulerConfig config = SchedulerConfig.from(env);
    Duration delay = env.duration("ORION_TEST_WORKER_DELAY", Duration.ofSeconds(2));
    RecordingWorkerOps workers = new RecordingWorkerOps().delay(delay);
    workers.onCall(c -> {
      if (c.op().equals("list")) {
        workers.leftover(c.nodeId(), "c_leftover");
        System.out.println("WORK STARTED on node " + c.nodeId());
        System.out.flush();
      }
    });
    Database db = Database.connect(config.db());
    Scheduler scheduler = new Scheduler(config, db, Clock.systemUTC(), workers).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      scheduler.close();
      db.close();
    }));
    new CountDownLatch(1).await();
  }
}
