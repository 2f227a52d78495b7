package dev.orion.autoscaler.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/** The few API calls the edge tests and benchmarks make, as plain HTTP with JSON text. */
public final class ApiClient {
  private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
  private final HttpClient http;
  private final String base;

  public ApiClient(String base, SSLContext trust) {
    this.base = base;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5));
    if (trust != null) {
      b.sslContext(trust);
    }
    this.http = b.build();
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
  }

  public static HttpRequest.Builder json(HttpRequest.Builder b, String body) {
    return b.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  public HttpResponse<String> send(HttpRequest.Builder b) throws IOException,
      InterruptedException {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpRequest.Builder login(String user, String password) {
    return json(request("/api/login"),
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
  }

  /** Signs up (if needed) and logs in; returns the bearer token. */
  public String token(String user, String password) throws IOException, InterruptedException {
    HttpResponse<String> s = send(json(request("/api/signup"),
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"));
    if (s.statusCode() != 201 && s.statusCode() != 409) {
      throw new IllegalStateException("signup answered " + s.statusCode() + ": " + s.body());
    }
    HttpResponse<String> r = send(login(user, password));
    Matcher m = TOKEN.matcher(r.body());
    if (r.statusCode() != 200 || !m.find()) {
      throw new IllegalStateException("login answered " + r.statusCode() + ": " + r.body());
    }
    return m.group(1);
  }

  public HttpRequest.Builder register(String agentToken, String hostname, String ip, int port,
      String hostKey) {
    return json(request("/api/workers/register"), "{\"hostname\":\"" + hostname
        + "\",\"ip\":\"" + ip + "\",\"ssh_port\":" + port + ",\"host_key\":\"" + hostKey + "\"}")
        .header("Authorization", "Bearer " + agentToken);
  }

  /** A fresh ed25519 public key in OpenSSH form, as a worker's host key would be. */
  public static String newHostKey() {
    try {
      byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()
          .getEncoded();
      byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
      byte[] type = "ssh-ed25519".getBytes();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + type.length + 4 + raw.length);
      b.putInt(type.length).put(type).putInt(raw.length).put(raw);
      return "ssh-ed25519 " + Base64.getEncoder().encodeToString(b.array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
