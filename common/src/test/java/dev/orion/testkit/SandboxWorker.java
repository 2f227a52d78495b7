package dev.orion.testkit;

import dev.orion.common.ssh.WorkerEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real sandbox worker ({@code sandbox/worker.sh}: sshd in its own PID, mount, UTS and network
 * namespace and its own cgroups) for tests. Its sshd listens on the worker's own address
 * ({@link #ip()}, a /30 of ORION_SANDBOX_NET reached through a veth); from inside, the host is
 * {@link #gateway()}. Its state lives under {@code target/}; the test admin key ({@link TestSsh})
 * is installed for root. Workers die with the test JVM, even when it is killed (the script
 * watches the JVM's PID).
 */
public final class SandboxWorker implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Set<SandboxWorker> RUNNING = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile boolean checked;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(SandboxWorker::kill)));
  }

  private static final Pattern ADDRESS = Pattern.compile("orion-sandbox: address (\\S+) gateway (\\S+)");

  private final String name;
  private final String ip;
  private final String gateway;
  private final int port;
  private final Path dir;
  private final Process process;
  private final long namespacePid;
  private final String hostKey;

  private SandboxWorker(String name, String ip, String gateway, int port, Path dir, Process process, long namespacePid,
      String hostKey) {
    this.name = name;
    this.ip = ip;
    this.gateway = gateway;
    this.port = port;
    this.dir = dir;
    this.process = process;
    this.namespacePid = namespacePid;
    this.hostKey = hostKey;
  }

  /** Starts a worker with the test admin key; returns once its sshd listens. */
  public static SandboxWorker start(String name) {
    return start(name, TestSsh.adminPublicKey());
  }

  public static SandboxWorker start(String name, Path adminPublicKey) {
    return start(name, adminPublicKey, "", Map.of());
  }

  /**
   * Starts a worker whose namespace also runs {@code agentCommand} (a bash command line) with
   * {@code env} added to its environment; its output goes to {@code dir()/agent.log}.
   */
  public static SandboxWorker startWithAgent(String name, String agentCommand, Map<String, String> env) {
    return start(name, TestSsh.adminPublicKey(), agentCommand, env);
  }

  private static SandboxWorker start(String name, Path adminPublicKey, String agentCommand, Map<String, String> env) {
    requirePrerequisites();
    Path dir = Path.of("target", "sandbox-" + ProcessHandle.current().pid(), name + "-" + COUNTER.incrementAndGet())
        .toAbsolutePath();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      // Not taken twice in this JVM; sshd binds it on the worker's own address, in its namespace.
      int port = Ports.free();
      try {
        return launch(name, port, dir, adminPublicKey, agentCommand, env);
      } catch (PortTaken e) {
        last = e; // another process bound it between our check and sshd's bind: take another
      } catch (IOException e) {
        throw new IllegalStateException("sandbox worker " + name + " did not start: " + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("sandbox worker " + name + " found no free port", last);
  }

  /** Starts {@code n} workers named {@code prefix-1..n} in parallel. */
  public static List<SandboxWorker> startMany(String prefix, int n) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, 8));
    try {
      List<Future<SandboxWorker>> futures = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        String name = prefix + "-" + i;
        futures.add(pool.submit(() -> start(name)));
      }
      List<SandboxWorker> workers = new ArrayList<>();
      for (Future<SandboxWorker> f : futures) {
        try {
          workers.add(f.get());
        } catch (ExecutionException e) {
          closeAll(workers);
          throw new IllegalStateException("starting " + n + " sandbox workers failed", e.getCause());
        }
      }
      return workers;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting sandbox workers", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Stops many workers at once: each namespace takes a moment (up to seconds) to be reaped, so
   * closing fifty one after the other would take minutes.
   */
  public static void closeAll(List<SandboxWorker> workers) {
    if (workers.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers.size(), 64));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (SandboxWorker w : workers) {
        futures.add(pool.submit(w::close));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("stopping a sandbox worker failed", e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pool.shutdown();
    }
  }

  /** How the control plane would address this worker once registered as {@code nodeId}. */
  public WorkerEndpoint endpoint(long nodeId) {
    return new WorkerEndpoint(nodeId, ip, port, hostKey);
  }

  /** The worker's own address: its sshd listens here, and an agent inside registers it. */
  public String ip() {
    return ip;
  }

  /** The host as the worker sees it (the host end of its veth). */
  public String gateway() {
    return gateway;
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** The OpenSSH public host key line, as the agent would register it. */
  public String hostKey() {
    return hostKey;
  }

  public Path hostKeyFile() {
    return dir.resolve("ssh_host_ed25519_key.pub");
  }

  /** The handle: the {@code unshare} process; SIGKILL of it ends the whole namespace. */
  public long pid() {
    return process.pid();
  }

  public Path dir() {
    return dir;
  }

  /** Output of the agent command, if one was given. */
  public Path agentLog() {
    return dir.resolve("agent.log");
  }

  /** sshd's log (it runs with -e). */
  public Path log() {
    return dir.resolve("worker.log");
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Whether {@code user} exists in the sandbox's own /etc/passwd (not the host's). */
  public boolean hasUser(String user) {
    return passwd().stream().anyMatch(line -> line.startsWith(user + ":"));
  }

  /** The sandbox's /etc/passwd, read from the host through the namespace's root. */
  public List<String> passwd() {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(namespacePid), "root", "etc", "passwd"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /etc/passwd of sandbox " + name + " (is it still running?)", e);
    }
  }

  /** Runs a shell command inside the worker's namespaces (network included) as root and returns its output. */
  public String runInside(String shellCommand) throws IOException {
    return Processes.run(Duration.ofSeconds(20), "nsenter", "-t", Long.toString(namespacePid), "-m", "-u", "-p", "-n",
        "--", "bash", "-c", shellCommand);
  }

  /** The worker's namespace init (sshd) as the host sees it, e.g. to read its /proc entries. */
  public long namespacePid() {
    return namespacePid;
  }

  /** How many lines of the sshd log contain {@code text} (e.g. "Accepted publickey for root"). */
  public long countInLog(String text) {
    try {
      return Files.readAllLines(log(), StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL, as a crashed machine would end; waits until the namespace is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The namespace's init is not our child: the host's init reaps it, sometimes seconds later,
    // so "dead" means gone or a zombie (ProcessHandle would count a zombie as alive).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (running(namespacePid)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("sandbox worker " + name + ": namespace init " + namespacePid + " did not die");
      }
      sleep(2);
    }
    Ports.release(port);
  }

  @Override
  public void close() {
    kill();
    RUNNING.remove(this);
  }

  @Override
  public String toString() {
    return "sandbox " + name + " " + ip + ":" + port + " pid " + pid();
  }

  /** {@code sandbox/worker.sh} of this checkout (surefire passes the root as orion.root). */
  public static Path script() {
    String root = System.getProperty("orion.root");
    Path start = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("sandbox").resolve("worker.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("sandbox/worker.sh not found above " + start);
  }

  private static SandboxWorker launch(String name, int port, Path dir, Path adminPublicKey, String agentCommand,
      Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    Path log = dir.resolve("worker.log");
    Files.deleteIfExists(log);
    ProcessBuilder pb = new ProcessBuilder("bash", script().toString(), "--name", name, "--port",
        Integer.toString(port), "--dir", dir.toString(), "--admin-key", adminPublicKey.toString(),
        "--agent-cmd", agentCommand, "--watch-pid", Long.toString(ProcessHandle.current().pid()));
    pb.environment().putAll(env);
    Process p = pb.redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Matcher address;
    while (true) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
      address = ADDRESS.matcher(text);
      if (address.find() && text.contains("Server listening on " + address.group(1) + " port " + port + ".")) {
        break;
      }
      if (!p.isAlive()) {
        Ports.release(port);
        if (text.contains("Address already in use") || text.contains("Cannot bind any address")) {
          throw new PortTaken(port);
        }
        throw new IOException("worker.sh exited " + p.exitValue() + ": " + text.strip());
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("sshd not listening after " + START_TIMEOUT + ": " + text.strip());
      }
      sleep(2);
    }
    long init = namespaceInit(p);
    String hostKey = Files.readString(dir.resolve("ssh_host_ed25519_key.pub")).strip();
    SandboxWorker w = new SandboxWorker(name, address.group(1), address.group(2), port, dir, p, init, hostKey);
    RUNNING.add(w);
    return w;
  }

  /** The namespace's PID 1 (sshd) as the host sees it: the child of unshare in another PID namespace. */
  private static long namespaceInit(Process p) throws IOException {
    String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
    for (ProcessHandle child : p.toHandle().children().toList()) {
      try {
        String theirs = Files.readSymbolicLink(Path.of("/proc", Long.toString(child.pid()), "ns", "pid")).toString();
        if (!theirs.equals(ours)) {
          return child.pid();
        }
      } catch (IOException gone) {
        // a child that exited meanwhile (not the namespace's init, which is alive: sshd listens)
      }
    }
    throw new IOException("no process in a new PID namespace under unshare " + p.pid());
  }

  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException gone) {
      return false;
    }
  }

  private static void requirePrerequisites() {
    if (checked) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("root (namespaces and mounts need it; run the tests as root)");
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
      missing.add("/usr/sbin/sshd (apt-get install openssh-server)");
    }
    if (!onPath("unshare") || !onPath("nsenter")) {
      missing.add("unshare and nsenter (apt-get install util-linux)");
    }
    if (!onPath("ip")) {
      missing.add("ip (apt-get install iproute2)");
    }
    if (!onPath("nft")) {
      missing.add("nft (apt-get install nftables)");
    }
    if (!onPath("ssh-keygen")) {
      missing.add("ssh-keygen (apt-get install openssh-client)");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("sandbox workers cannot start; missing: " + String.join(", ", missing));
    }
    checked = true;
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a sandbox worker", e);
    }
  }

  /** sshd could not bind the chosen port. */
  private static final class PortTaken extends IOException {
    PortTaken(int port) {
      super("port " + port + " is taken");
    }
  }
}
