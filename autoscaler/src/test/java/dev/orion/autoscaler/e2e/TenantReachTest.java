package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.HostKeys;
import dev.orion.testkit.SandboxNet;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.FingerprintVerifier;
import org.junit.jupiter.api.Test;

/**
 * The tenant's view: rent a sandbox worker through the real edge, log in with the rented
 * credentials, and from inside try every listener the stack opened (both Caddys and their admin
 * APIs, every API replica and its metrics listener, MariaDB, another worker's sshd) plus a canary listening on all of the
 * host's addresses, on the worker's loopback and on its gateway. Only the edge's client and
 * agent ports may answer. Nothing else on the machine is probed.
 */
class TenantReachTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aTenantReachesOnlyTheEdgesTwoPorts() throws Exception {
    DbConfig db = TestDb.freshConfig(40);
    ApiProcesses apiEnv = new ApiProcesses(db, CaddyUnderTest.repoRoot()
        .resolve("autoscaler/target/tenant-" + ProcessHandle.current().pid()));
    try (EdgeStack stack = EdgeStack.api("tenant", new ScalingPolicy(1000, 0.1, 1, 1,
            Duration.ofSeconds(3), 1, 1), apiEnv).startServing(1);
        SandboxNet edge = SandboxNet.allow(stack.caddy.httpsPort, stack.caddy.agentPort);
        ServerSocket canary = new ServerSocket()) {
      canary.bind(new InetSocketAddress(0)); // every address the host has
      java.nio.file.Path adminKey = java.nio.file.Path.of(apiEnv.env().get("ORION_SSH_KEY") + ".pub");
      SandboxWorker rented = SandboxWorker.start("tenant-a", adminKey);
      SandboxWorker neighbour = SandboxWorker.start("tenant-b", adminKey);
      try {
        ApiClient agents = new ApiClient("http://127.0.0.1:" + stack.caddy.agentPort, null);
        for (SandboxWorker w : List.of(rented, neighbour)) {
          HttpResponse<String> r = agents.send(agents.register(apiEnv.agentToken, w.name(), w.ip(), w.port(),
              w.hostKey()));
          assertEquals(201, r.statusCode(), r.body());
          FreshNodes.markScrubbed(db, w.name());
        }
        ApiClient client = stack.client();
        String token = client.token("tenant1", "tenant-pass-1");
        // Rent both, so the lease under test is surely on `rented`'s address or `neighbour`'s.
        HttpResponse<String> rent = client.send(ApiClient.json(client.request("/api/rent"),
            "{\"duration_hours\":1,\"count\":2}").header("Authorization", "Bearer " + token));
        assertEquals(201, rent.statusCode(), rent.body());
        JsonNode lease = null;
        for (JsonNode c : JSON.readTree(rent.body())) {
          if (c.get("host_ip").asText().equals(rented.ip())) {
            lease = c;
          }
        }
        assertEquals(rented.ip(), lease == null ? null : lease.get("host_ip").asText(),
            "host_ip is the worker's own address: " + rent.body());

        List<Integer> stackPorts = new ArrayList<>(List.of(stack.caddy.httpsPort, stack.caddy.agentPort,
            stack.caddy.poolPort, port(db.url()),
            canary.getLocalPort()));
        for (Replica r : stack.autoscaler.serving()) {
          int port = Integer.parseInt(r.dial().substring(r.dial().lastIndexOf(':') + 1));
          stackPorts.add(port);
          stackPorts.add(port + EdgeStack.REPLICA_PORTS); // its internal metrics listener
        }
        List<String> targets = new ArrayList<>();
        for (int p : stackPorts) {
          targets.add(rented.gateway() + ":" + p);
          targets.add("127.0.0.1:" + p);
        }
        targets.add(neighbour.ip() + ":" + neighbour.port());

        String out = asTenant(lease, rented.hostKey(), probe(targets));
        Set<String> answered = new TreeSet<>(Arrays.asList(out.strip().split("\\s+")));
        answered.remove("");
        System.out.printf("[isolation] from a leased worker, %d of %d probed listeners answer: %s%n",
            answered.size(), targets.size(), answered);
        assertEquals(new TreeSet<>(Set.of(rented.gateway() + ":" + stack.caddy.httpsPort,
            rented.gateway() + ":" + stack.caddy.agentPort)), answered,
            "only the edge's client and agent ports answer a tenant");
      } finally {
        SandboxWorker.closeAll(List.of(rented, neighbour));
      }
    }
  }

  /** A shell line that prints every target that accepts a TCP connection within 2 s (in parallel). */
  private static String probe(List<String> targets) {
    StringBuilder sb = new StringBuilder("for t in");
    for (String t : targets) {
      sb.append(' ').append(t);
    }
    sb.append("; do (timeout 2 bash -c \"exec 3<>/dev/tcp/${t%:*}/${t##*:}\" 2>/dev/null && echo \"$t\") & done;"
        + " wait");
    return sb.toString();
  }

  private static String asTenant(JsonNode lease, String hostKey, String command) throws IOException {
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(FingerprintVerifier.getInstance(HostKeys.fingerprint(hostKey)));
      ssh.setConnectTimeout(10_000);
      ssh.connect(lease.get("host_ip").asText(), lease.get("ssh_port").asInt());
      ssh.authPassword(lease.get("client_user").asText(), lease.get("client_pass").asText());
      try (Session s = ssh.startSession()) {
        Session.Command cmd = s.exec(command);
        String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
        cmd.join(30, TimeUnit.SECONDS);
        return out;
      }
    }
  }

  private static int port(String jdbcUrl) {
    URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
    return u.getPort();
  }
}
