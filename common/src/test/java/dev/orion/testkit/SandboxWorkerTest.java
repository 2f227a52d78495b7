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
  void startsManyIsolatedWorkersInParallel() throws Exception {
    // Start-up latency is bench/worker_latency.sh's business; this test checks isolation only.
    List<SandboxWorker> workers = SandboxWorker.startMany("many", 50);
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
    } finally {
      workers.forEach(SandboxWorker::close);
    }
    for (SandboxWorker w : workers) {
      assertFalse(w.isAlive());
    }
    Set<Long> pids = workers.stream().map(SandboxWorker::pid).collect(Collectors.toSet());
    assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.parent().map(pp -> pids.contains(pp.pid())).orElse(false)),
        "SIGKILL of the handle ended everything in the namespace");
  }

  @Test
  void eachWorkerIsItsOwnNetworkAndCgroup() throws Exception {
    List<SandboxWorker> workers = SandboxWorker.startMany("own", 2);
    try {
      SandboxWorker a = workers.get(0);
      SandboxWorker b = workers.get(1);
      assertFalse(a.ip().equals(b.ip()), "each worker has its own address");
      assertEquals(a.gateway() + " dev eth0 proto kernel scope link src " + a.ip(),
          a.runInside("ip -4 route").strip(), "a route to the gateway and nothing else");
      assertTrue(a.runInside("ip -4 route get " + b.ip() + " 2>&1 || true").contains("unreachable"),
          "no route to another worker");
      assertTrue(Processes.run(java.time.Duration.ofSeconds(5), "ip", "route", "show", "type", "unreachable")
          .contains("10.237.0.0/16"), "the host routes the range as unreachable");
      assertEquals("1\n", a.runInside("ss -Hltn | wc -l"), "sshd is the only listener: " + a.runInside("ss -ltn"));
      assertTrue(a.runInside("ss -Hltn").contains(a.ip() + ":" + a.port()), "on the worker's own address");

      // Limits: 1 core (CFS quota per 100 ms period) and 1 GiB, in a group of the worker's own.
      String cgroups = Files.readString(Path.of("/proc", Long.toString(a.namespacePid()), "cgroup"));
      assertTrue(cgroups.lines().anyMatch(l -> l.matches("\\d+:(.*,)?cpu(,.*)?:/.*orion-sandbox-\\d+")
          || l.matches("0::/.*orion-sandbox-\\d+")), cgroups);
      assertEquals(hostLimits(a.namespacePid()), "cpu 100000/100000 memory 1073741824");
      // Its CPU use is accounted to it alone: where v1 mounts cpuacct apart from cpu, the worker
      // has a cpuacct group of its own too (the agent reads its load there; in the hierarchy's
      // root it read the whole machine's).
      cgroups.lines().filter(l -> l.matches("\\d+:(.*,)?cpuacct(,.*)?:.*")).forEach(l ->
          assertTrue(l.matches(".*:/.*orion-sandbox-\\d+"), "cpuacct group of its own: " + l));
      assertEquals("1.0G\n", a.runInside("df -h --output=size /run | tail -1 | tr -d ' '"), "/run is sized");
      a.runInside("echo x > /dev/shm/only-inside");
      assertFalse(Files.exists(Path.of("/dev/shm/only-inside")), "/dev/shm is private");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  /** The worker's cpu quota and memory limit as the host sees them (cgroup v1 or v2). */
  private static String hostLimits(long pid) throws Exception {
    String cpu = null;
    String mem = null;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] f = line.split(":", 3);
      List<String> ctrls = Arrays.asList(f[1].split(","));
      if (ctrls.contains("cpu")) {
        Path g = mount("cpu").resolve(f[2].substring(1));
        cpu = read(g.resolve("cpu.cfs_quota_us")) + "/" + read(g.resolve("cpu.cfs_period_us"));
      }
      if (ctrls.contains("memory")) {
        mem = read(mount("memory").resolve(f[2].substring(1)).resolve("memory.limit_in_bytes"));
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] f = line.split(":", 3);
      if (f[0].equals("0") && (cpu == null || mem == null)) {
        Path g = mount(null).resolve(f[2].substring(1));
        if (cpu == null) {
          cpu = read(g.resolve("cpu.max")).replace(' ', '/');
        }
        if (mem == null) {
          mem = read(g.resolve("memory.max"));
        }
      }
    }
    return "cpu " + cpu + " memory " + mem;
  }

  /** Where the v1 hierarchy holding {@code controller} is mounted, or the v2 mount for null. */
  private static Path mount(String controller) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ", 2);
      String[] left = halves[0].split(" ");
      String[] right = halves[1].split(" ");
      boolean match = controller == null ? right[0].equals("cgroup2")
          : right[0].equals("cgroup") && Arrays.asList(right[2].split(",")).contains(controller);
      if (match && left[3].equals("/")) {
        return Path.of(left[4]);
      }
    }
    throw new AssertionError("no cgroup mount for " + controller);
  }

  private static String read(Path p) throws Exception {
    return Files.readString(p).strip();
  }
}
