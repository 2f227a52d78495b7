package dev.orion.agent;

import dev.orion.common.node.Labels;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the agent needs, read once from the environment and validated before anything is
 * sent: a bad value stops the agent with the variable's name instead of a retry loop that can
 * never succeed.
 *
 * @param hostKey the worker's OpenSSH public host key line, sent so the control plane can pin it
 */
public record AgentConfig(URI apiEndpoint, String token, String hostname, String ip, int sshPort, String hostKey,
    String pool, Map<String, String> labels, Duration heartbeatInterval, Path stateDir) {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  public AgentConfig {
    Objects.requireNonNull(apiEndpoint, "apiEndpoint");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(hostKey, "hostKey");
    Objects.requireNonNull(stateDir, "stateDir");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /**
   * Reads API_ENDPOINT, MY_HOST_PORT and ORION_AGENT_TOKEN (required), MY_HOST_IP (127.0.0.1),
   * MY_HOSTNAME (the kernel's hostname), ORION_HOST_KEY_FILE (/etc/ssh/ssh_host_ed25519_key.pub),
   * ORION_POOL, ORION_LABELS (k=v,k=v), ORION_HEARTBEAT_INTERVAL (10s) and ORION_AGENT_STATE_DIR
   * (/var/lib/orion-agent: where the node token is kept; it must outlive restarts).
   */
  public static AgentConfig from(Map<String, String> env) {
    URI api = endpoint(required(env, "API_ENDPOINT"));
    int port = port(required(env, "MY_HOST_PORT"));
    String token = required(env, "ORION_AGENT_TOKEN");
    String ip = optional(env, "MY_HOST_IP", "127.0.0.1");
    String hostname = optional(env, "MY_HOSTNAME", null);
    if (hostname == null) {
      hostname = localHostname();
    }
    String keyFile = optional(env, "ORION_HOST_KEY_FILE", "/etc/ssh/ssh_host_ed25519_key.pub");
    String hostKey;
    try {
      hostKey = Files.readString(Path.of(keyFile)).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("ORION_HOST_KEY_FILE: cannot read the SSH host public key " + keyFile
          + " (" + e.getMessage() + ")");
    }
    if (!isPublicKeyLine(hostKey)) {
      throw new IllegalArgumentException("ORION_HOST_KEY_FILE: " + keyFile + " does not hold one OpenSSH public key line");
    }
    return new AgentConfig(api, token, hostname, ip, port, hostKey, optional(env, "ORION_POOL", null),
        labels(optional(env, "ORION_LABELS", "")),
        duration("ORION_HEARTBEAT_INTERVAL", optional(env, "ORION_HEARTBEAT_INTERVAL", "10s")),
        stateDir(optional(env, "ORION_AGENT_STATE_DIR", "/var/lib/orion-agent")));
  }

  /**
   * Whether the text is one OpenSSH public key line: its base64 blob must begin with the
   * length-prefixed key type named in front of it, as every SSH public key blob does.
   */
  static boolean isPublicKeyLine(String line) {
    String[] parts = line.split(" ", 3);
    if (line.contains("\n") || parts.length < 2) {
      return false;
    }
    try {
      ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(parts[1]));
      int n = blob.getInt();
      if (n != parts[0].length() || blob.remaining() < n) {
        return false;
      }
      byte[] type = new byte[n];
      blob.get(type);
      return new String(type, StandardCharsets.US_ASCII).equals(parts[0]);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return false;
    }
  }

  /** For logs: everything but the token. */
  @Override
  public String toString() {
    return "AgentConfig[api=" + apiEndpoint + ", hostname=" + hostname + ", ip=" + ip + ", ssh_port=" + sshPort
        + ", pool=" + pool + ", labels=" + labels + ", heartbeat=" + heartbeatInterval + ", stateDir=" + stateDir
        + ", token=<redacted>]";
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v.strip();
  }

  private static String optional(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  private static URI endpoint(String raw) {
    try {
      URI u = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new IllegalArgumentException("not http(s)");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("API_ENDPOINT must be an http(s) URL like http://127.0.0.1:7070, got '" + raw + "'");
    }
  }

  private static int port(String raw) {
    try {
      int p = Integer.parseInt(raw);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("MY_HOST_PORT must be a TCP port (1-65535), got '" + raw + "'");
  }

  private static Path stateDir(String raw) {
    Path p = Path.of(raw);
    if (!p.isAbsolute() || p.getParent() == null) {
      throw new IllegalArgumentException("ORION_AGENT_STATE_DIR must be an absolute path below /, got '" + raw + "'");
    }
    return p;
  }

  /**
   * Parses {@code k=v,k=v} and checks it with the API's own rule ({@link Labels}), so a label the
   * API would refuse stops the agent at start instead of a registration refused forever.
   */
  static Map<String, String> labels(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw.isBlank()) {
      return out;
    }
    for (String pair : raw.split(",")) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("ORION_LABELS must look like k=v,k=v; bad entry '" + pair + "'");
      }
      String key = pair.substring(0, eq).strip();
      if (out.put(key, pair.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException("ORION_LABELS names label '" + key + "' twice");
      }
    }
    try {
      Labels.validate(out);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ORION_LABELS: " + e.getMessage() + " (the API refuses such labels)");
    }
    return out;
  }

  static Duration duration(String name, String raw) {
    Matcher m = DURATION.matcher(raw);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(name + " must look like 500ms, 30s, 5m or 2h, got '" + raw + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** The kernel's hostname: in a sandbox worker that is the UTS namespace's own name. */
  private static String localHostname() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException ignored) {
      // not Linux; ask the resolver instead
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      throw new IllegalArgumentException("MY_HOSTNAME is not set and the hostname cannot be determined");
    }
  }
}
