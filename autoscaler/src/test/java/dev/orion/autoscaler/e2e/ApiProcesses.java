package dev.orion.autoscaler.e2e;

import dev.orion.common.db.DbConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * How tests and benchmarks start the real API as replicas: {@code dev.orion.api.ApiMain} on the
 * test JVM's class path (the api module and its dependencies, exactly what its fat jar packs),
 * with the environment contract of the API process.
 */
public final class ApiProcesses {
  public static final String API_MAIN = "dev.orion.api.ApiMain";
  private static final SecureRandom RANDOM = new SecureRandom();

  public final String jwtSecret = random(24);
  public final String agentToken = random(16);
  public final String adminUser = "admin";
  public final String adminPassword = random(10);
  private final Map<String, String> env = new HashMap<>();

  public ApiProcesses(DbConfig db, Path home) throws IOException, InterruptedException {
    Files.createDirectories(home);
    env.put("ORION_DB_URL", db.url());
    env.put("ORION_DB_USER", db.user());
    env.put("ORION_DB_PASSWORD", db.password());
    env.put("ORION_DB_POOL_SIZE", "8");
    env.put("ORION_JWT_SECRET", jwtSecret);
    env.put("ORION_AGENT_TOKEN", agentToken);
    env.put("ORION_ADMIN_USERNAME", adminUser);
    env.put("ORION_ADMIN_PASSWORD", adminPassword);
    Path key = home.resolve("admin_ed25519");
    if (!Files.exists(key)) {
      Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
          "orion-test", "-f", key.toString()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("ssh-keygen failed (apt-get install openssh-client)");
      }
    }
    env.put("ORION_SSH_KEY", key.toString());
  }

  /** Sets one more variable for every replica started from now on. */
  public ApiProcesses with(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Environment of every replica; the driver adds host, port and the migrate flag. */
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** {@code java ... -cp <test class path> main}: the API, or the hello-world baseline. */
  public static List<String> command(String mainClass) {
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass);
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
