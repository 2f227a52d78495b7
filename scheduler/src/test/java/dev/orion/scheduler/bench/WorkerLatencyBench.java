package dev.orion.scheduler.bench;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Worker-side latencies on real sandbox workers: a worker's start, an exec on a warm admin
 * connection, creating and deleting a client account. Figures only (they were tests that could not
 * fail); run with {@code bench/worker_latency.sh}.
 */
public final class WorkerLatencyBench {
  private WorkerLatencyBench() {}

  public static void main(String[] args) throws Exception {
    SandboxWorker.start("warmup").close();
    long[] ms = new long[5];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      SandboxWorker w = SandboxWorker.start("single");
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
      w.close();
    }
    Arrays.sort(ms);
    System.out.printf("[latency] one sandbox worker from start to listening: median %d ms (min %d, max %d)%n",
        ms[2], ms[0], ms[4]);

    SandboxWorker w = SandboxWorker.start("latency");
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      WorkerEndpoint e = w.endpoint(1);
      long t0 = System.nanoTime();
      c.exec(e, "true");
      long connectMicros = (System.nanoTime() - t0) / 1000;
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        long s = System.nanoTime();
        c.exec(e, "true");
        micros.add((System.nanoTime() - s) / 1000);
      }
      Collections.sort(micros);
      System.out.printf("[latency] first exec incl. handshake %.1f ms; warm exec of 'true': p50 %.2f ms, p99 %.2f ms%n",
          connectMicros / 1000.0, micros.get(150) / 1000.0, micros.get(297) / 1000.0);

      ClientAccounts accounts = new ClientAccounts(c);
      String hash = PasswordCrypt.sha512("pw");
      accounts.create(e, new ClientAccount("c_warmup", hash, null));
      accounts.delete(e, "c_warmup");
      List<Long> create = new ArrayList<>();
      List<Long> delete = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        long a = System.nanoTime();
        accounts.create(e, new ClientAccount("c_lat" + i, hash, null));
        long b = System.nanoTime();
        accounts.delete(e, "c_lat" + i);
        create.add((b - a) / 1000);
        delete.add((System.nanoTime() - b) / 1000);
      }
      Collections.sort(create);
      Collections.sort(delete);
      System.out.printf("[latency] create user: p50 %.1f ms, p95 %.1f ms; delete user: p50 %.1f ms, p95 %.1f ms%n",
          create.get(20) / 1000.0, create.get(37) / 1000.0, delete.get(20) / 1000.0, delete.get(37) / 1000.0);
    } finally {
      w.close();
    }
  }
}
