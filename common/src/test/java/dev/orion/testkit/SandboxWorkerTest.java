package dev.orion.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.WorkerConnections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SandboxWorkerTest {
  @Test
  void printsSingleStartLatency() {
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
  }

  @Test
  void startsManyIsolatedWorkersInParallel() throws Exception {
    long t0 = System.nanoTime();
    List<SandboxWorker> workers = SandboxWorker.startMany("many", 50);
    long startedMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("[latency] 50 sandbox workers listening after %d ms (parallel start)%n", startedMs);
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      for (int i = 0; i < workers.size(); i++) {
        SandboxWorker w = workers.get(i);
        assertEquals(w.name() + "\n", c.exec(w.endpoint(i), "hostname").stdout(), "own UTS namespace");
      }
      assertEquals(50, workers.stream().map(SandboxWorker::hostKey).distinct().count(), "each has its own host key");
      assertEquals(50, workers.stream().map(SandboxWorker::port).distinct().count());

      SandboxWorker first = workers.get(0);
      c.exec(first.endpoint(0), "useradd -m only-inside; nohup sleep 600 >/dev/null 2>&1 &");
      assertTrue(first.hasUser("only-inside"));
      assertFalse(workers.get(1).hasUser("only-inside"), "workers do not share /etc");
      assertFalse(Files.readString(Path.of("/etc/passwd")).contains("only-inside"), "the host is untouched");
      assertFalse(Files.exists(Path.of("/home/only-inside")));
      assertEquals("sshd\n", c.exec(first.endpoint(0), "cat /proc/1/comm").stdout(), "own PID namespace");
      System.out.printf("[latency] checks done after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    } finally {
      workers.forEach(SandboxWorker::close);
    }
    System.out.printf("[latency] all stopped after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    for (SandboxWorker w : workers) {
      assertFalse(w.isAlive());
    }
    Set<Long> pids = workers.stream().map(SandboxWorker::pid).collect(Collectors.toSet());
    assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.parent().map(pp -> pids.contains(pp.pid())).orElse(false)),
        "SIGKILL of the handle ended everything in the namespace");
  }
}
