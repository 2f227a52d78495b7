package dev.orion.api.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Input an attacker sends: control characters in every kind of text field, passwords bcrypt cannot
 * take, and bodies too large for the API however they are framed. Every one is a 4xx
 * problem+json and leaves the database as it was.
 */
class HostileInputTest {
  private static final long FIFTY_MB = 50L * 1024 * 1024;
  static ApiHarness api;
  static String token;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    token = api.newUser("hostile");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void refused(int status, Http.Response r, String why) {
    assertEquals(status, r.status(), why + ": " + r);
    assertTrue(r.isProblem(), why + ": " + r.contentType());
  }

  @Test
  void aNulInTheCommentOfAnSshKeyIsA400NotA500() {
    String before = api.snapshot();
    Map<String, Object> rent = new LinkedHashMap<>();
    rent.put("duration_hours", 1);
    rent.put("count", 2);
    rent.put("ssh_public_key", TestKeys.ed25519() + " x\u0000");
    Http.Response r = api.http.post("/api/rent", token, Http.json(rent));
    refused(400, r, "NUL in the key comment");
    assertTrue(r.json().get("detail").asText().contains("U+0000"), r.body());
    assertEquals(before, api.snapshot());
  }

  @Test
  void controlCharactersAreRefusedInNamesPasswordsKeysAndLabels() {
    String before = api.snapshot();
    String[] controls = {"\u0000", "\u0001", "\u0007", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u009b"};
    for (String c : controls) {
      String shown = String.format("U+%04X", (int) c.charAt(0));
      refused(400, api.http.post("/api/signup", null, Http.json(Map.of("username", "eve" + c + "x",
          "password", "password-1"))), "username with " + shown);
      refused(400, api.http.post("/api/signup", null, Http.json(Map.of("username", "eve-ctl",
          "password", "pass" + c + "word-1"))), "password with " + shown);
      refused(400, api.http.post("/api/login", null, Http.json(Map.of("username", "eve-ctl",
          "password", "pass" + c + "word-1"))), "login password with " + shown);
      refused(400, api.http.post("/api/rent", token, Http.json(Map.of("duration_hours", 1,
          "ssh_password", "secret" + c + "pass"))), "ssh_password with " + shown);
      refused(400, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "ctl-node", "ip", "127.0.0.1", "ssh_port", 22, "host_key", TestKeys.ed25519(),
          "labels", Map.of("zone", "a" + c + "b")))), "label value with " + shown);
      refused(400, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "ctl-node", "ip", "127.0.0.1", "ssh_port", 22, "host_key", TestKeys.ed25519(),
          "labels", Map.of("zo" + c + "ne", "a")))), "label key with " + shown);
      refused(400, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "ctl-node" + c, "ip", "127.0.0.1", "ssh_port", 22, "host_key", TestKeys.ed25519()))),
          "hostname with " + shown);
      refused(400, api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "ctl-node", "ip", "127.0.0.1", "ssh_port", 22, "host_key", TestKeys.ed25519() + c))),
          "host key with " + shown);
    }
    // A lone surrogate cannot be stored as UTF-8: refused before it reaches the database.
    refused(400, api.http.post("/api/signup", null, "{\"username\":\"eve\",\"password\":\"pass\\ud800word\"}"),
        "unpaired surrogate");
    assertEquals(before, api.snapshot());
  }

  @Test
  void passwordsLongerThan72BytesInUtf8AreA400AtSignupAndLogin() {
    String before = api.snapshot();
    String fortyUmlauts = "ä".repeat(40); // 40 characters, 80 bytes
    refused(400, api.http.post("/api/signup", null, Http.json(Map.of("username", "longpw",
        "password", fortyUmlauts))), "80-byte password at signup");
    refused(400, api.http.post("/api/login", null, Http.json(Map.of("username", "longpw",
        "password", fortyUmlauts))), "80-byte password at login");
    refused(400, api.http.post("/api/signup", null, Http.json(Map.of("username", "longpw",
        "password", "x".repeat(73)))), "73-byte password");
    assertEquals(before, api.snapshot());
    assertEquals(201, api.http.post("/api/signup", null, Http.json(Map.of("username", "longpw",
        "password", "ä".repeat(36)))).status(), "exactly 72 bytes is fine");
    api.login("longpw", "ä".repeat(36));
  }

  @Test
  void aChunkedBodyOf50MbIsRefusedWith413AfterABoundedRead() throws Exception {
    String before = api.snapshot();
    // 1 MB of a body that goes on for 50 MB: the answer must come without the rest.
    Raw r = startPost("/api/rent", token, FIFTY_MB, true, 1024 * 1024);
    assertEquals(413, r.status, r.head);
    assertTrue(r.head.toLowerCase().contains("content-type: application/problem+json"), r.head);
    assertEquals(before, api.snapshot());
  }

  @Test
  void aDeclaredOversizedBodyIsRefusedWith413WithoutReadingIt() throws Exception {
    String before = api.snapshot();
    for (String path : new String[] {"/api/signup", "/api/workers/register", "/api/rent"}) {
      Raw r = startPost(path, token, FIFTY_MB, false, 0);
      assertEquals(413, r.status, path + ": " + r.head);
      assertTrue(r.head.toLowerCase().contains("content-type: application/problem+json"), r.head);
    }
    Http.Response justOver = api.http.post("/api/signup", null,
        "{\"username\":\"" + "a".repeat(64 * 1024) + "\",\"password\":\"password-1\"}");
    refused(413, justOver, "just over 64 KiB");
    assertEquals(before, api.snapshot());
  }

  @Test
  void pathsJettyRefusesAreProblemsToo() {
    for (String path : new String[] {"/api/rentals/%00", "/api/extend/%00", "/api/nodes/%2e%2e%00"}) {
      Http.Response r = api.http.get(path, token);
      refused(400, r, path);
    }
  }

  private record Raw(int status, String head) {}

  /**
   * Starts a POST on a plain socket that announces {@code declared} bytes (or is chunked), sends
   * only {@code sent} of them and then neither sends more nor ends the body. A server that wanted
   * the whole body would wait here until the socket timeout; one that reads a bounded amount
   * answers at once.
   */
  private static Raw startPost(String path, String bearer, long declared, boolean chunked, int sent) throws Exception {
    try (Socket s = new Socket("127.0.0.1", api.app.port())) {
      // Well below Jetty's idle timeout (30 s): a server waiting for the body shows as a failure
      // here, not as an answer that comes when Jetty gives up waiting.
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + bearer + "\r\n"
          + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + declared + "\r\n") + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[16 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      chunk[0] = '[';
      for (int n = 0; n < sent; n += chunk.length) {
        if (chunked) {
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(chunk);
        if (chunked) {
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunk[0] = ' ';
      }
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        answer.write(b);
        if (answer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
          break;
        }
      }
      String text = answer.toString(StandardCharsets.ISO_8859_1);
      int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
      return new Raw(status, text);
    }
  }
}
